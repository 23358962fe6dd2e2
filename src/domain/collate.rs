//! Names in the order a French reader expects (Unicode collation: "Élodie" before "Zoé", case and
//! accents second), not in the order of their bytes.

use std::cell::RefCell;
use std::cmp::Ordering;

thread_local! {
    static COLLATOR: RefCell<feruca::Collator> = RefCell::new(feruca::Collator::default());
}

/// Compares two texts as a dictionary would.
pub fn compare(a: &str, b: &str) -> Ordering {
    COLLATOR.with(|c| c.borrow_mut().collate(a, b))
}

/// Sorts items by a name.
pub fn sort_by_name<T>(items: &mut [T], name: impl Fn(&T) -> &str) {
    items.sort_by(|a, b| compare(name(a), name(b)));
}

#[cfg(test)]
mod tests {
    #[test]
    fn accents_and_case_do_not_send_a_name_to_the_end() {
        let mut names = vec![
            "Zoé",
            "élise",
            "Élodie",
            "Aurélien",
            "Émile",
            "zacharie",
            "Eric",
        ];
        super::sort_by_name(&mut names, |n| n);
        assert_eq!(
            names,
            [
                "Aurélien",
                "élise",
                "Élodie",
                "Émile",
                "Eric",
                "zacharie",
                "Zoé"
            ]
        );
    }
}
