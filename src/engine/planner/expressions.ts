/**
 * The JSONata expressions offline plans put in their `json.transform` nodes. They are
 * plain text in the plan, so a person can read and edit them on the canvas; tests
 * evaluate each one with the real jsonata package against sample data.
 */

/** Extensions the code review reads when it is given a folder. */
export const CODE_EXTENSIONS = ['ts', 'tsx', 'js', 'jsx', 'mjs', 'cjs', 'py', 'go', 'rs', 'java', 'rb', 'php', 'c', 'h', 'cpp', 'cs', 'kt', 'swift', 'sh'];

/**
 * `{entries}` from file.list → the files to read, as an array (JSONata unwraps one-element
 * results, hence the `[...]`), keeping only `extensions` when given, at most `limit`.
 */
export function selectFiles(extensions: string[], limit: number): string {
  const extTest = extensions.length
    ? ` and $lowercase($split(path, ".")[-1]) in [${extensions.map((e) => JSON.stringify(e)).join(', ')}]`
    : '';
  return `[$filter([entries[type = "file"${extTest}]], function($f, $i) { $i < ${limit} })]`;
}

/**
 * `{page: http.fetch output, url}` → a Markdown report (title, headings, excerpt) without
 * a model: tags stripped, scripts and styles dropped.
 */
export const PAGE_REPORT = `(
  $html := $string(page.text);
  $title := $match($html, /<title[^>]*>([^<]*)<\\/title>/i)[0].groups[0];
  $plain := $trim($replace($replace($replace($html, /<(script|style)[^>]*>[^<]*<\\/(script|style)>/i, " "), /<[^>]+>/, " "), /\\s+/, " "));
  $heads := [$match($html, /<h[1-3][^>]*>([^<]*)<\\/h[1-3]>/i).groups[0]];
  "# " & ($title ? $trim($title) : url) & "\\n\\n" &
  "Source: " & url & " (HTTP " & $string(page.status) & ", " & $string($count($split($plain, " "))) & " words)\\n\\n" &
  ($count($heads) > 0 ? "## Headings\\n\\n" & $join($heads.("- " & $trim($)), "\\n") & "\\n\\n" : "") &
  "## Excerpt\\n\\n" & $substring($plain, 0, 1500) & ($length($plain) > 1500 ? " …" : "") & "\\n"
)`;

/**
 * `{folder, files: [{path,size}], reads: [file.read output per file, aligned with files]}`
 * → a Markdown index: one row per file with its size and first non-empty line.
 */
export const FOLDER_INDEX = `(
  $reads := [reads];
  $rows := $map([files], function($f, $i) {(
    $text := $string($reads[$i].text);
    $first := $filter($split($text, "\\n"), function($l) { $length($trim($l)) > 0 })[0];
    $title := $substring($trim($replace($string($first), /^#+\\s*/, "")), 0, 100);
    { "path": $f.path, "size": $f.size, "title": $title }
  )});
  $total := $sum($rows.size);
  "# Index of " & folder & "\\n\\n" &
  $string($count($rows)) & " files, " & $string($total ? $total : 0) & " bytes\\n\\n" &
  "| File | Size (bytes) | First line |\\n|---|---:|---|\\n" &
  $join($map($rows, function($r) { "| " & $r.path & " | " & $string($r.size) & " | " & $replace($r.title, "|", "\\\\|") & " |" }), "\\n") & "\\n"
)`;

/**
 * Rule checks for code: `{docs: [{path, text}]}` → `{findings, counts, markdown}`.
 * TODO/FIXME/XXX/HACK markers, lines over 120 characters, leftover debug output,
 * trailing whitespace, and files over 500 lines.
 */
export const CODE_CHECKS = `(
  $check := function($doc) {(
    $lines := $split($string($doc.text), "\\n");
    $numbered := $map($lines, function($l, $i) { { "line": $i + 1, "text": $l } });
    $mk := function($rule, $hits, $msg) { $map([$hits], function($h) { { "file": $doc.path, "line": $h.line, "rule": $rule, "message": $msg } }) };
    $append($append($append($append(
      $mk("todo", $numbered[$contains(text, /\\b(TODO|FIXME|XXX|HACK)\\b/)], "unfinished-work marker"),
      $mk("long-line", $numbered[$length(text) > 120], "line longer than 120 characters")),
      $mk("debug-output", $numbered[$contains(text, /console\\.log\\(|debugger;|System\\.out\\.println\\(|\\bprint\\(/)], "leftover debug output")),
      $mk("trailing-space", $numbered[$contains(text, /[ \\t]+$/)], "trailing whitespace")),
      $count($lines) > 500 ? [{ "file": $doc.path, "line": 1, "rule": "long-file", "message": "file has " & $string($count($lines)) & " lines (over 500)" }] : [])
  )};
  $findings := [$map([docs], $check)];
  $rules := ["todo", "long-line", "debug-output", "trailing-space", "long-file"];
  $counts := $merge($map($rules, function($r) { { $r: $count($findings[rule = $r]) } }));
  {
    "findings": $findings,
    "counts": $counts,
    "markdown": "# Code review findings\\n\\n" &
      $string($count([docs])) & " file(s) checked, " & $string($count($findings)) & " finding(s).\\n\\n" &
      "| Rule | Count |\\n|---|---:|\\n" & $join($map($rules, function($r) { "| " & $r & " | " & $string($lookup($counts, $r)) & " |" }), "\\n") & "\\n\\n" &
      ($count($findings) > 0
        ? "## Findings\\n\\n" & $join($map($filter($findings, function($v, $i) { $i < 200 }), function($f) { "- " & $f.file & ":" & $string($f.line) & " — " & $f.rule & ": " & $f.message }), "\\n") & "\\n"
        : "No rule-based findings.\\n")
  }
)`;

/** `{files, reads}` (a folder review) → `{docs: [{path, text}]}` for CODE_CHECKS. */
export const DOCS_FROM_READS = `(
  $reads := [reads];
  { "docs": [$map([files], function($f, $i) { { "path": $f.path, "text": $string($reads[$i].text) } })] }
)`;

import type { Condition, RowFilter } from './directives';

/** Cell text that means "no value" to a person, beside an absent or null field. */
const BLANK_WORDS = ['', 'null', 'n/a', 'na', 'none', '-'];

/** What the clean expressions add to their output beside the native text. */
export interface CleanOptions {
  filters?: RowFilter[];
  /** Also a Markdown table of the rows, as `markdown`. */
  markdown?: boolean;
}

/** JSONata test of `$r` for one condition; fields are looked up case-insensitively. */
function conditionTest(c: Condition): string {
  const v = `$field($r, ${JSON.stringify(c.field.toLowerCase())})`;
  if (c.op === 'missing') return `$blank(${v})`;
  if (c.op === 'present') return `$not($blank(${v}))`;
  if (typeof c.value === 'number') {
    const op = c.cmp === '!=' ? '=' : c.cmp;
    const test = `($v := ${v}; $type($v) = "number" and $v ${op} ${c.value})`;
    return c.cmp === '!=' ? `$not${test}` : test;
  }
  const test = `$lowercase($trim($string(${v}))) = ${JSON.stringify(c.value.toLowerCase())}`;
  return c.cmp === '!=' ? `$not(${test})` : test;
}

/**
 * `$rows` → `$clean`: the row filters the goal asked for, each a visible line a person can
 * edit. A filter on a field no row has fails with the fields there are, rather than
 * silently dropping (or keeping) every row.
 */
function filterRows(rows: string, filters: RowFilter[]): string {
  if (filters.length === 0) return `$clean := ${rows};`;
  const fields = [...new Set(filters.map((f) => f.test.field.toLowerCase()))];
  return `$field := function($r, $name) { ($k := $keys($r)[$lowercase($) = $name][0]; $k ? $lookup($r, $k)) };
  $blank := function($v) { $not($exists($v)) or $lowercase($trim($string($v))) in ${JSON.stringify(BLANK_WORDS)} };
  $known := $distinct([$all.$keys($).$lowercase($)]);
  $check := $map(${JSON.stringify(fields)}, function($f) { ($count($all) = 0 or $f in $known) ? $f : $error("no field \\"" & $f & "\\" in the data (it has: " & $join($known, ", ") & ")") });
  $clean := [$filter(${rows}, function($r) { ${filters.map((f) => (f.keep ? conditionTest(f.test) : `$not(${conditionTest(f.test)})`)).join(' and ')} })];`;
}

/** `$clean` (an array of objects) as a Markdown table. */
const MARKDOWN_TABLE = `(
    $cols := $distinct([$clean.$keys($)]);
    $cell := function($r, $c) { ($v := $lookup($r, $c); $exists($v) ? $replace($string($v), "|", "\\\\|") : "") };
    "| " & $join($cols, " | ") & " |\\n|" & $join($map($cols, function($c) { "---" }), "|") & "|\\n" &
    $join($map($clean, function($r) { "| " & $join($map($cols, function($c) { $cell($r, $c) }), " | ") & " |" }), "\\n") & "\\n"
  )`;

/**
 * CSV text → cleaned rows: blank lines dropped, cells trimmed, numbers typed, exact
 * duplicate rows removed, then the goal's row filters. Naive splitting on commas (no
 * quoted fields). Output `{rows, removed, csv}` (and `markdown` when asked).
 */
export function cleanCsv(opts: CleanOptions = {}): string {
  return `(
  $lines := $filter($split($replace(text, "\\r", ""), "\\n"), function($l) { $length($trim($l)) > 0 });
  $header := $map($split($lines[0], ","), function($h) { $trim($h) });
  $rows := $map($filter($lines, function($l, $i) { $i > 0 }), function($l) {
    $merge($map($split($l, ","), function($v, $i) {
      { $header[$i]: $match($trim($v), /^-?[0-9]+([.][0-9]+)?$/) ? $number($trim($v)) : $trim($v) }
    }))
  });
  $all := $rows;
  ${filterRows('[$distinct($rows)]', opts.filters ?? [])}
  {
    "rows": $clean,
    "removed": $count($rows) - $count($clean),
    "csv": $join($header, ",") & "\\n" & $join($map($clean, function($r) { $join($map($header, function($h) { $string($lookup($r, $h)) }), ",") }), "\\n") & "\\n"${
      opts.markdown ? `,\n    "markdown": ${MARKDOWN_TABLE}` : ''
    }
  }
)`;
}

/**
 * JSON text → cleaned data: for an array, null and empty entries dropped, string values
 * trimmed, exact duplicates removed, then the goal's row filters. Output
 * `{data, removed, json}` (and `markdown` when asked).
 */
export function cleanJson(opts: CleanOptions = {}): string {
  return `(
  $doc := $eval(text);
  $trimAll := function($v) { $type($v) = "string" ? $trim($v) : $type($v) = "object" ? $merge($map($keys($v), function($k) { { $k: $trimAll($lookup($v, $k)) } })) : $v };
  $items := $type($doc) = "array" ? $filter($doc, function($x) { $exists($x) and $x != null and $x != {} and $x != "" }) : $doc;
  $all := $type($doc) = "array" ? $items : [];
  ${filterRows('[$distinct($map($items, $trimAll))]', opts.filters ?? [])}
  $clean := $type($doc) = "array" ? $clean : $trimAll($doc);
  {
    "data": $clean,
    "removed": $type($doc) = "array" ? $count($doc) - $count($clean) : 0,
    "json": $string($clean, true)${opts.markdown ? `,\n    "markdown": ${MARKDOWN_TABLE}` : ''}
  }
)`;
}

/** Files that hold shell notes: scripts, and Markdown or text with commands in them. */
export const NOTE_EXTENSIONS = ['sh', 'bash', 'zsh', 'md', 'markdown', 'txt'];

/**
 * Shell commands from notes: `{docs: [{path, text}], about: [words]}` → `{commands, markdown}`.
 * A command is a non-comment line of a shell script, a line in a fenced code block, or a
 * `$ ` prompt line. Commands that mention one of `about` (the service) come first and
 * alone when there are any; at most 60 are listed, grouped by file.
 */
export const NOTES_COMMANDS = `(
  $scan := function($doc) {(
    $lines := $split($replace($string($doc.text), "\\r", ""), "\\n");
    $script := $lowercase($split($doc.path, ".")[-1]) in ["sh", "bash", "zsh"];
    $found := $reduce($lines, function($acc, $l) {(
      $t := $trim($l);
      $fence := $substring($t, 0, 3) = "\`\`\`";
      $fence ? { "in": $not($acc.in), "out": $acc.out }
        : ($script or $acc.in) and $t != "" and $substring($t, 0, 1) != "#" ? { "in": $acc.in, "out": $append($acc.out, $replace($t, /^\\$\\s+/, "")) }
        : $contains($t, /^\\$\\s+\\S/) ? { "in": $acc.in, "out": $append($acc.out, $replace($t, /^\\$\\s+/, "")) }
        : $acc
    )}, { "in": false, "out": [] });
    $map($found.out, function($c) { { "file": $doc.path, "command": $c } })
  )};
  $all := [$reduce($map([docs], $scan), function($a, $b) { $append($a, $b) }, [])];
  $words := [about.$lowercase($)];
  $relevant := $count($words) > 0 ? [$filter($all, function($c) { $count($filter($words, function($w) { $contains($lowercase($c.command), $w) })) > 0 })] : [];
  $picked := [$filter($count($relevant) > 0 ? $relevant : $all, function($v, $i) { $i < 60 })];
  $files := $distinct($picked.file);
  {
    "commands": $picked,
    "markdown": "## Commands from your notes\\n\\n" & (
      $count($picked) = 0
        ? "No shell commands were found in the " & $string($count([docs])) & " note file(s) read (looked for fenced code blocks, \`$ \` prompt lines and shell scripts).\\n"
        : $string($count($picked)) & " command(s) from " & $string($count($files)) & " note file(s)" &
          ($count($words) = 0 ? "" : $count($relevant) > 0 ? ", the ones that mention " & $join($words.('"' & $ & '"'), " or ") : "; none mention " & $join($words, " or ") & ", so all are listed") &
          ". Check each against the current setup before running it.\\n\\n" &
          $join($map([$files], function($f) { "### " & $f & "\\n\\n\`\`\`sh\\n" & $join($picked[file = $f].command, "\\n") & "\\n\`\`\`\\n" }), "\\n")
    )
  }
)`;
