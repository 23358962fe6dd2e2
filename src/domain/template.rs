//! The template language of the texts staff write (acknowledgements, canned replies): minijinja
//! restricted to what such a text needs — values, a few filters, `if` — so that rendering is
//! linear in the template's length and cannot hold a core or fill the memory, whoever wrote it.
//!
//! Loops, assignments, macros, calls and arithmetic are refused before anything runs (a loop of
//! loops, or `{% set a = a ~ a %}` repeated, would otherwise cost hours or gigabytes); fuel and an
//! output bound stay as a second line should the parser accept something this check misses.

use minijinja::machinery::ast::{BinOpKind, CallArg, Expr, Stmt};
use minijinja::machinery::{WhitespaceConfig, parse};
use serde::Serialize;

/// Filters that cost at most linear time and output in their input.
const FILTERS: &[&str] = &[
    "upper",
    "lower",
    "title",
    "capitalize",
    "trim",
    "default",
    "d",
    "length",
    "string",
];
/// Tests allowed in conditions.
const TESTS: &[&str] = &[
    "defined",
    "undefined",
    "none",
    "true",
    "false",
    "string",
    "number",
];
/// Instructions a render may execute (far above what an allowed template of 10,000 characters
/// takes) and the size of what it may write.
const FUEL: u64 = 100_000;
const MAX_OUTPUT: usize = 256 * 1024;

/// Why a template was refused, in words for the person editing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks a template against the allowed language; `names` are the values it may use.
pub fn check(text: &str, names: &[&str]) -> Result<(), Refused> {
    let ast = parse(
        text,
        "template",
        Default::default(),
        WhitespaceConfig::default(),
    )
    .map_err(|e| Refused(located(&e)))?;
    stmt(&ast, names)
}

/// Renders a template after checking it, within the fuel and output bounds.
pub fn render<V: Serialize>(text: &str, names: &[&str], values: &V) -> Result<String, Refused> {
    check(text, names)?;
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_fuel(Some(FUEL));
    env.set_recursion_limit(50);
    let tpl = env
        .template_from_str(text)
        .map_err(|e| Refused(located(&e)))?;
    let mut out = Bounded(Vec::new(), false);
    match tpl.render_captured_to(values, &mut out) {
        Ok(_) => String::from_utf8(out.0).map_err(|_| Refused("the text is not UTF-8".into())),
        Err(e) if e.kind() == minijinja::ErrorKind::OutOfFuel => {
            Err(Refused("template too costly to render".into()))
        }
        Err(_) if out.1 => Err(Refused(format!(
            "the text would exceed {} KiB",
            MAX_OUTPUT / 1024
        ))),
        Err(e) => Err(Refused(located(&e))),
    }
}

fn located(e: &minijinja::Error) -> String {
    let msg = match e.detail() {
        Some(d) => format!("{}: {d}", e.kind()),
        None => e.kind().to_string(),
    };
    match e.line() {
        Some(line) => format!("line {line}: {msg}"),
        None => msg,
    }
}

/// What a render wrote, refusing to grow past [`MAX_OUTPUT`] (`.1` says it tried).
struct Bounded(Vec<u8>, bool);

impl std::io::Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.0.len() + buf.len() > MAX_OUTPUT {
            self.1 = true;
            return Err(std::io::Error::other("output too large"));
        }
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn not_allowed(what: &str) -> Refused {
    Refused(format!(
        "{what} is not allowed in a template (values, filters and if only)"
    ))
}

fn stmt(s: &Stmt<'_>, names: &[&str]) -> Result<(), Refused> {
    match s {
        Stmt::Template(t) => t.children.iter().try_for_each(|c| stmt(c, names)),
        Stmt::EmitRaw(_) => Ok(()),
        Stmt::EmitExpr(e) => expr(&e.expr, names),
        Stmt::IfCond(c) => {
            expr(&c.expr, names)?;
            c.true_body
                .iter()
                .chain(&c.false_body)
                .try_for_each(|c| stmt(c, names))
        }
        Stmt::ForLoop(_) => Err(not_allowed("a loop")),
        Stmt::Set(_) | Stmt::SetBlock(_) | Stmt::WithBlock(_) => Err(not_allowed("an assignment")),
        Stmt::FilterBlock(_) => Err(not_allowed("a filter block")),
        Stmt::AutoEscape(_) => Err(not_allowed("autoescape")),
        Stmt::Do(_) => Err(not_allowed("do")),
        #[allow(unreachable_patterns)]
        _ => Err(not_allowed("this statement")),
    }
}

fn expr(e: &Expr<'_>, names: &[&str]) -> Result<(), Refused> {
    match e {
        Expr::Var(v) if names.contains(&v.id) => Ok(()),
        Expr::Var(v) => Err(Refused(format!(
            "unknown value \"{}\" (known: {})",
            v.id,
            names.join(", ")
        ))),
        Expr::Const(_) => Ok(()),
        Expr::UnaryOp(u) => expr(&u.expr, names),
        Expr::BinOp(b) => match b.op {
            BinOpKind::Eq
            | BinOpKind::Ne
            | BinOpKind::Lt
            | BinOpKind::Lte
            | BinOpKind::Gt
            | BinOpKind::Gte
            | BinOpKind::ScAnd
            | BinOpKind::ScOr
            | BinOpKind::In
            | BinOpKind::Concat => {
                expr(&b.left, names)?;
                expr(&b.right, names)
            }
            _ => Err(not_allowed("arithmetic")),
        },
        Expr::Compare(c) => {
            expr(&c.expr, names)?;
            c.ops.iter().try_for_each(|o| expr(&o.expr, names))
        }
        Expr::IfExpr(i) => {
            expr(&i.test_expr, names)?;
            expr(&i.true_expr, names)?;
            i.false_expr.as_ref().map_or(Ok(()), |f| expr(f, names))
        }
        Expr::Filter(f) if FILTERS.contains(&f.name) => {
            if let Some(e) = &f.expr {
                expr(e, names)?;
            }
            f.args.iter().try_for_each(|a| constant(a))
        }
        Expr::Filter(f) => Err(Refused(format!(
            "the filter \"{}\" is not allowed (allowed: {})",
            f.name,
            FILTERS.join(", ")
        ))),
        Expr::Test(t) if TESTS.contains(&t.name) => {
            expr(&t.expr, names)?;
            t.args.iter().try_for_each(|a| constant(a))
        }
        Expr::Test(t) => Err(Refused(format!("the test \"{}\" is not allowed", t.name))),
        Expr::Call(_) => Err(not_allowed("a function call")),
        Expr::Slice(_) | Expr::GetItem(_) | Expr::GetAttr(_) => Err(not_allowed("indexing")),
        Expr::List(_) | Expr::Map(_) => Err(not_allowed("a list or map")),
    }
}

/// Filter and test arguments: literals only.
fn constant(a: &CallArg<'_>) -> Result<(), Refused> {
    match a {
        CallArg::Pos(Expr::Const(_)) => Ok(()),
        _ => Err(not_allowed("a computed argument")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: &[&str] = &["name", "subject"];

    #[derive(Serialize)]
    struct V {
        name: &'static str,
        subject: &'static str,
    }
    const VALUES: V = V {
        name: "Renée",
        subject: "Facture",
    };

    #[test]
    fn values_filters_and_conditions_render() {
        let out = render(
            "Bonjour{% if name %} {{ name | upper }}{% else %} madame{% endif %}, « {{ subject ~ '!' }} » {{ name | default('—') if false else '' }}",
            NAMES,
            &VALUES,
        );
        assert_eq!(out.unwrap(), "Bonjour RENÉE, « Facture! » ");
    }

    #[test]
    fn costly_or_unbounded_constructs_are_refused_before_running() {
        for (text, why) in [
            (
                "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
                "a loop",
            ),
            ("{% set a = name ~ name %}{{ a }}", "an assignment"),
            ("{{ 'a' * 100000000 }}", "arithmetic"),
            ("{{ range(10) }}", "a function call"),
            ("{% macro m() %}{% endmacro %}", "line 1"),
            ("{{ subject | default(name) }}", "a computed argument"),
            ("{{ name | indent(1000000) }}", "the filter \"indent\""),
            ("{{ nope }}", "unknown value \"nope\""),
            ("{% if %}", "line 1: syntax error"),
        ] {
            let err = render(text, NAMES, &VALUES).unwrap_err();
            assert!(err.0.contains(why), "{text}: {err}");
        }
    }

    #[test]
    fn an_output_beyond_the_bound_is_refused() {
        #[derive(Serialize)]
        struct Big {
            name: String,
            subject: &'static str,
        }
        let big = Big {
            name: "x".repeat(100_000),
            subject: "",
        };
        assert_eq!(render("{{ name }}", NAMES, &big).unwrap().len(), 100_000);
        let err = render("{{ name }}{{ name }}{{ name }}", NAMES, &big).unwrap_err();
        assert!(err.0.contains("exceed 256 KiB"), "{err}");
    }
}
