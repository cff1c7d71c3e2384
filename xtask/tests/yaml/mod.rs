//! A reader for the subset of YAML this repository writes (workflows, Kubernetes manifests):
//! block mappings and sequences, `|`/`>` block scalars, quoted and plain one-line scalars,
//! one-line flow sequences/mappings, comments and `---` documents. Anything else (anchors,
//! tags, multi-line plain scalars) is an error naming the line, so a check can never pass
//! on a document it did not understand. A YAML crate is not worth a dependency for that.
#![allow(dead_code)] // each test binary uses its own subset of these helpers

#[derive(Debug, Clone, PartialEq)]
pub enum Yaml {
    Null,
    /// `quoted` tells `"8082"` (a string) from `8082` (a number to Kubernetes).
    Scalar {
        text: String,
        quoted: bool,
    },
    Seq(Vec<Yaml>),
    Map(Vec<(String, Yaml)>),
}

impl Yaml {
    pub fn get(&self, key: &str) -> Option<&Yaml> {
        match self {
            Yaml::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    /// Follows a path of keys: `doc.at(&["spec", "template"])`.
    pub fn at(&self, path: &[&str]) -> Option<&Yaml> {
        path.iter().try_fold(self, |node, key| node.get(key))
    }
    pub fn str(&self) -> Option<&str> {
        match self {
            Yaml::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }
    pub fn bool(&self) -> Option<bool> {
        match self {
            Yaml::Scalar { text, quoted: false } if text == "true" => Some(true),
            Yaml::Scalar { text, quoted: false } if text == "false" => Some(false),
            _ => None,
        }
    }
    pub fn int(&self) -> Option<i64> {
        match self {
            Yaml::Scalar { text, quoted: false } => text.parse().ok(),
            _ => None,
        }
    }
    pub fn seq(&self) -> &[Yaml] {
        match self {
            Yaml::Seq(items) => items,
            _ => &[],
        }
    }
    pub fn entries(&self) -> &[(String, Yaml)] {
        match self {
            Yaml::Map(entries) => entries,
            _ => &[],
        }
    }
}

/// Every document of `text`.
pub fn parse(text: &str) -> Result<Vec<Yaml>, String> {
    let mut docs = Vec::new();
    let mut current: Vec<Line> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        if raw.trim_end() == "---" {
            docs.push(std::mem::take(&mut current));
            continue;
        }
        current.push(Line { no: i + 1, indent: raw.len() - raw.trim_start_matches(' ').len(), raw: raw.to_string() });
    }
    docs.push(current);
    let mut out = Vec::new();
    for lines in docs {
        let mut p = Parser { lines, pos: 0 };
        p.skip_blank();
        if p.pos == p.lines.len() {
            continue;
        }
        let indent = p.lines[p.pos].indent;
        let doc = p.block(indent)?;
        p.skip_blank();
        if let Some(line) = p.lines.get(p.pos) {
            return Err(format!("line {}: unexpected indentation: {}", line.no, line.raw));
        }
        out.push(doc);
    }
    Ok(out)
}

struct Line {
    no: usize,
    indent: usize,
    /// The line; a `- key: v` item is rewritten in place to `key: v` at the item's column.
    raw: String,
}

impl Line {
    fn body(&self) -> &str {
        &self.raw[self.indent..]
    }
}

struct Parser {
    lines: Vec<Line>,
    pos: usize,
}

impl Parser {
    fn skip_blank(&mut self) {
        while let Some(line) = self.lines.get(self.pos) {
            let body = line.raw.trim_start();
            if !(body.is_empty() || body.starts_with('#')) {
                break;
            }
            self.pos += 1;
        }
    }

    fn err<T>(&self, why: &str) -> Result<T, String> {
        let line = &self.lines[self.pos.min(self.lines.len() - 1)];
        Err(format!("line {}: {why}: {}", line.no, line.raw.trim()))
    }

    /// The block (mapping or sequence) starting at the current line, at `indent`.
    fn block(&mut self, indent: usize) -> Result<Yaml, String> {
        let body = self.lines[self.pos].body();
        if body == "-" || body.starts_with("- ") {
            self.seq(indent)
        } else {
            self.map(indent)
        }
    }

    fn next_indent(&mut self) -> Option<usize> {
        self.skip_blank();
        self.lines.get(self.pos).map(|l| l.indent)
    }

    fn seq(&mut self, indent: usize) -> Result<Yaml, String> {
        let mut items = Vec::new();
        while self.next_indent() == Some(indent) {
            let body = self.lines[self.pos].body().to_string();
            let Some(rest) = body.strip_prefix('-') else { break };
            let content = rest.trim_start();
            if content.is_empty() || content.starts_with('#') {
                self.pos += 1;
                items.push(self.nested(indent)?);
                continue;
            }
            // `- key: v` or `- - x`: the item is a block starting at the content's column.
            let column = indent + 1 + (rest.len() - content.len());
            if content.starts_with("- ") || split_key(content).is_some() {
                let line = &mut self.lines[self.pos];
                line.raw = format!("{}{}", " ".repeat(column), content);
                line.indent = column;
                items.push(self.block(column)?);
            } else {
                items.push(self.inline(content)?);
                self.pos += 1;
                self.no_continuation(indent)?;
            }
        }
        Ok(Yaml::Seq(items))
    }

    fn map(&mut self, indent: usize) -> Result<Yaml, String> {
        let mut entries: Vec<(String, Yaml)> = Vec::new();
        while self.next_indent() == Some(indent) {
            let body = self.lines[self.pos].body().to_string();
            if body.starts_with("- ") || body == "-" {
                break;
            }
            let Some((key, rest)) = split_key(&body) else { return self.err("expected `key: value`") };
            if entries.iter().any(|(k, _)| *k == key) {
                return self.err(&format!("duplicate key `{key}`"));
            }
            let rest = strip_comment(rest).trim();
            let value = if rest.is_empty() {
                self.pos += 1;
                match self.next_indent() {
                    // A sequence may sit at its key's own indentation.
                    Some(i) if i == indent && self.lines[self.pos].body().starts_with('-') => self.seq(indent)?,
                    _ => self.nested(indent)?,
                }
            } else if let Some(style) = block_scalar_style(rest) {
                self.pos += 1;
                self.block_scalar(indent, style)
            } else if rest.starts_with('&') || rest.starts_with('*') || rest.starts_with('!') {
                return self.err("anchors, aliases and tags are not supported");
            } else {
                let value = self.inline(rest)?;
                self.pos += 1;
                self.no_continuation(indent)?;
                value
            };
            entries.push((key, value));
        }
        Ok(Yaml::Map(entries))
    }

    /// The value under a `key:` or `-` with nothing after it: a deeper block, or null.
    fn nested(&mut self, indent: usize) -> Result<Yaml, String> {
        match self.next_indent() {
            Some(i) if i > indent => self.block(i),
            _ => Ok(Yaml::Null),
        }
    }

    /// A plain scalar continued on the next, deeper line is legal YAML this reader refuses.
    fn no_continuation(&mut self, indent: usize) -> Result<(), String> {
        match self.next_indent() {
            Some(i) if i > indent => self.err("multi-line plain scalars are not supported"),
            _ => Ok(()),
        }
    }

    fn block_scalar(&mut self, indent: usize, (folded, keep_end): (bool, Chomp)) -> Yaml {
        let mut lines: Vec<String> = Vec::new();
        let mut content_indent = None;
        while let Some(line) = self.lines.get(self.pos) {
            if line.raw.trim().is_empty() {
                lines.push(String::new());
                self.pos += 1;
                continue;
            }
            if line.indent <= indent {
                break;
            }
            let at = *content_indent.get_or_insert(line.indent);
            lines.push(line.raw.get(at.min(line.indent)..).unwrap_or("").to_string());
            self.pos += 1;
        }
        // Trailing blank lines belong to the scalar only under `|+`; give the rest back.
        while lines.last().is_some_and(|l| l.is_empty()) {
            lines.pop();
        }
        let mut text = if folded { fold(&lines) } else { lines.join("\n") };
        if keep_end != Chomp::Strip && !text.is_empty() {
            text.push('\n');
        }
        Yaml::Scalar { text, quoted: true }
    }

    fn inline(&self, text: &str) -> Result<Yaml, String> {
        let text = strip_comment(text).trim();
        if let Some(inner) = text.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
            return split_flow(inner)
                .into_iter()
                .map(|item| self.inline(item))
                .collect::<Result<_, _>>()
                .map(Yaml::Seq);
        }
        if let Some(inner) = text.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
            let mut entries = Vec::new();
            for item in split_flow(inner) {
                let Some((k, v)) = split_key(item) else { return self.err("expected `key: value` in a flow mapping") };
                entries.push((k, self.inline(v)?));
            }
            return Ok(Yaml::Map(entries));
        }
        if text.starts_with(['[', '{']) {
            return self.err("flow collections must close on their line");
        }
        match unquote(text) {
            Some(Ok(s)) => Ok(Yaml::Scalar { text: s, quoted: true }),
            Some(Err(why)) => self.err(why),
            None if text.is_empty() || text == "~" || text == "null" => Ok(Yaml::Null),
            None => Ok(Yaml::Scalar { text: text.to_string(), quoted: false }),
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Chomp {
    Clip,
    Strip,
    Keep,
}

/// `|`, `|-`, `|+`, `>`, `>-`, `>+` → (folded, chomping).
fn block_scalar_style(rest: &str) -> Option<(bool, Chomp)> {
    let folded = match rest.chars().next()? {
        '|' => false,
        '>' => true,
        _ => return None,
    };
    let chomp = match &rest[1..] {
        "" => Chomp::Clip,
        "-" => Chomp::Strip,
        "+" => Chomp::Keep,
        _ => return None,
    };
    Some((folded, chomp))
}

/// Folded scalars: lines join with spaces; blank lines and more-indented lines keep breaks.
fn fold(lines: &[String]) -> String {
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            let prev = &lines[i - 1];
            let literal = line.is_empty() || prev.is_empty() || line.starts_with(' ') || prev.starts_with(' ');
            out.push(if literal { '\n' } else { ' ' });
        }
        out.push_str(line);
    }
    out
}

/// `key: rest` (or `key:` at the end of the line), with a plain or quoted key.
fn split_key(body: &str) -> Option<(String, &str)> {
    let (key, after) = if body.starts_with(['"', '\'']) {
        let quote = body.chars().next()?;
        let end = body[1..].find(quote)? + 2;
        (unquote(&body[..end])?.ok()?, &body[end..])
    } else {
        let colon = body.find(": ").or_else(|| body.strip_suffix(':').map(|b| b.len()))?;
        let key = &body[..colon];
        if key.is_empty() || key.starts_with(['#', '[', '{']) || key.contains(" #") {
            return None;
        }
        (key.to_string(), &body[colon..])
    };
    let rest = after.strip_prefix(':')?;
    (rest.is_empty() || rest.starts_with(' ')).then_some((key, rest))
}

/// Drops a ` #` comment outside quotes.
fn strip_comment(text: &str) -> &str {
    let mut quote = None;
    let mut prev = ' ';
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') if prev == ' ' || i == 0 => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '#') if prev == ' ' || prev == '\t' || i == 0 => return &text[..i],
            _ => {}
        }
        prev = c;
    }
    text
}

/// Splits a one-line flow collection's inside on top-level commas.
fn split_flow(inner: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let (mut depth, mut quote, mut start) = (0, None, 0);
    for (i, c) in inner.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => {
                items.push(inner[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    let last = inner[start..].trim();
    if !last.is_empty() {
        items.push(last);
    }
    items
}

/// A quoted scalar's value; `None` when `text` is not quoted.
fn unquote(text: &str) -> Option<Result<String, &'static str>> {
    if let Some(inner) = text.strip_prefix('\'') {
        let Some(inner) = inner.strip_suffix('\'') else { return Some(Err("unterminated single quote")) };
        return Some(Ok(inner.replace("''", "'")));
    }
    let inner = text.strip_prefix('"')?;
    let Some(inner) = inner.strip_suffix('"') else { return Some(Err("unterminated double quote")) };
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(c @ ('"' | '\\' | '/')) => out.push(c),
            _ => return Some(Err("unsupported escape in a double-quoted scalar")),
        }
    }
    Some(Ok(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Yaml {
        Yaml::Scalar { text: text.into(), quoted: false }
    }

    #[test]
    fn reads_the_shapes_workflows_and_manifests_use() {
        let text = "\
# comment
name: ci # trailing
on:
  push:
    branches: [main, 'release/*']
permissions: {}
jobs:
  build:
    steps:
      - uses: actions/checkout@abc # v4
        with:
          persist-credentials: false
      - name: \"quoted: colon\"
        run: |
          cargo xtask ci
          echo '# not a comment'

      -   run: >-
            one
            two
list:
- a
- port: 8082
---
kind: Service
";
        let docs = parse(text).unwrap();
        assert_eq!(docs.len(), 2);
        let d = &docs[0];
        assert_eq!(d.get("name"), Some(&s("ci")));
        assert_eq!(d.at(&["on", "push", "branches"]).unwrap().seq()[1].str(), Some("release/*"));
        assert_eq!(d.get("permissions"), Some(&Yaml::Map(vec![])));
        let steps = d.at(&["jobs", "build", "steps"]).unwrap().seq();
        assert_eq!(steps.len(), 3);
        assert_eq!(steps[0].get("uses"), Some(&s("actions/checkout@abc")));
        assert_eq!(steps[0].at(&["with", "persist-credentials"]).unwrap().bool(), Some(false));
        assert_eq!(steps[1].get("name").unwrap().str(), Some("quoted: colon"));
        assert_eq!(steps[1].get("run").unwrap().str(), Some("cargo xtask ci\necho '# not a comment'\n"));
        assert_eq!(steps[2].get("run").unwrap().str(), Some("one two"));
        assert_eq!(d.get("list").unwrap().seq()[1].get("port").unwrap().int(), Some(8082));
        assert_eq!(docs[1].get("kind").unwrap().str(), Some("Service"));
    }

    #[test]
    fn refuses_what_it_does_not_understand() {
        for bad in
            ["a: &x 1\n", "a: [1,\n  2]\n", "a: one\n  two\n", "a: 1\na: 2\n", "a: \"open\n", "a:\n  b: 1\n c: 2\n"]
        {
            assert!(parse(bad).is_err(), "accepted: {bad:?}");
        }
    }
}
