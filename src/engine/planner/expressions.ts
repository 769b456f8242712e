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

/**
 * CSV text → cleaned rows: blank lines dropped, cells trimmed, numbers typed, exact
 * duplicate rows removed. Naive splitting on commas (no quoted fields).
 * Output `{rows, removed, csv}`.
 */
export const CLEAN_CSV = `(
  $lines := $filter($split($replace(text, "\\r", ""), "\\n"), function($l) { $length($trim($l)) > 0 });
  $header := $map($split($lines[0], ","), function($h) { $trim($h) });
  $rows := $map($filter($lines, function($l, $i) { $i > 0 }), function($l) {
    $merge($map($split($l, ","), function($v, $i) {
      { $header[$i]: $match($trim($v), /^-?[0-9]+([.][0-9]+)?$/) ? $number($trim($v)) : $trim($v) }
    }))
  });
  $clean := [$distinct($rows)];
  {
    "rows": $clean,
    "removed": $count($rows) - $count($clean),
    "csv": $join($header, ",") & "\\n" & $join($map($clean, function($r) { $join($map($header, function($h) { $string($lookup($r, $h)) }), ",") }), "\\n") & "\\n"
  }
)`;

/**
 * JSON text → cleaned data: for an array, null and empty entries dropped, string values
 * trimmed, exact duplicates removed. Output `{data, removed, json}`.
 */
export const CLEAN_JSON = `(
  $doc := $eval(text);
  $trimAll := function($v) { $type($v) = "string" ? $trim($v) : $type($v) = "object" ? $merge($map($keys($v), function($k) { { $k: $trimAll($lookup($v, $k)) } })) : $v };
  $items := $type($doc) = "array" ? $filter($doc, function($x) { $exists($x) and $x != null and $x != {} and $x != "" }) : $doc;
  $clean := $type($doc) = "array" ? [$distinct($map($items, $trimAll))] : $trimAll($doc);
  {
    "data": $clean,
    "removed": $type($doc) = "array" ? $count($doc) - $count($clean) : 0,
    "json": $string($clean, true)
  }
)`;
