/* Where "Insert this paragraph" puts a paragraph the letter lacks (the letter page, letter.js,
   and a training exercise, app.js, both use it). `where` is the rule's place
   (api/web/letter_view.py `insert_where`, from `insert_place` in rules/*.yml):
   - "top": the first line of the letter (a header line);
   - "greeting": the greeting of a letter with none (api/static/greeting.js);
   - "opening": the first paragraph under the greeting (the decision: the victim reads it first);
   - "early": after the paragraph that gives the decision (`data.decision_at`, where the letter
     page has followed it since the page was made, else `data.decision_words`, as the checker
     found them), or, with no decision found or its words gone, after the first paragraph under
     the greeting (an acknowledgement of feelings, condolences, an apology for a late letter);
     never between two sentences the checker reads together (`data.read_together`: a term
     and the sentence in the next paragraph that explains it), but after the second;
   - "body": just before the sign-off, or at the end of a letter with none.
   Headings and reference lines ("Re: ...") under the greeting are passed over. A paragraph is
   set apart as the letter sets its paragraphs apart: by a blank line, or, in a letter with no
   blank lines (a Word file's, one line a paragraph), by a line break alone.
   `data` carries the checker's patterns (api/web/letter_view.py `insert_data`): `greeting`,
   `reference_line`, `sign_off`, `decision_words`, `read_together`, and greeting.js's. */
(function () {
  "use strict";

  var SENTENCE_END = /[.!?\u2026]["\u201d\u2019)]*$/;
  // in a letter with no greeting, its prose starts at the first sentence of at least this many
  // words on a line of its own (its header's lines are shorter, with no full stop), or a line of
  // more words than the other (rules/structure.yml insert_prose_min_words and
  // insert_long_line_words, as api/web/letter_view.py sends them; these when it sends none)
  var PROSE_WORDS = 4;
  var LONG_LINE_WORDS = 10;
  // a line under the greeting of at most this many words with no full stop is a subject line,
  // not a paragraph (rules/structure.yml subject_line_max_words, as api/web/letter_view.py sends it)
  var SUBJECT_WORDS = 15;

  // the checker's patterns read as greeting.js reads them (loaded before this script)
  function compile(sources) { return window.VclGreeting.compile(sources); }

  function any(list, line) { return window.VclGreeting.any(list, line); }

  /* A line that is only a sign-off, from the checker's own list (rules/structure.yml). */
  function signOffPattern(data) {
    return new RegExp("^[ \\t]*(?:" + (data.sign_off ||
      "Yours\\s+sincerely|Yours\\s+faithfully|Yours\\s+truly|Kind\\s+regards|Best\\s+wishes|Regards") +
      ")[,.!]?[ \\t]*$", "mi");
  }

  /* After the first paragraph under the greeting (or the one giving the decision), or, `before`,
     in front of the first: {pos, text, afterDecision, greeted}; with no greeting, from the line
     giving the decision or the first line of prose; null when it has neither, or nothing under
     it but the sign-off. */
  function earlyPlace(letter, value, before, data) {
    var greeting = compile(data.greeting), reference = compile(data.reference_line);
    var signOff = signOffPattern(data), decision = data.decision_words || "";
    var decisionAt = data.decision_at || null;  // [start, end] as the page followed it, else the words
    var lines = letter.split("\n"), starts = [], at = 0, i, g = -1;
    for (i = 0; i < lines.length; i++) { starts.push(at); at += lines[i].length + 1; }
    for (i = 0; i < lines.length; i++) {
      if (any(greeting, lines[i].trim())) { g = i; break; }
    }
    var blank = function (k) { return !lines[k].trim(); };
    var greeted = g >= 0;
    // a line of prose: PROSE_WORDS words or more with a sentence ending in it, or longer than
    // a header's line is (a paragraph wrapped at a line length)
    var fewest = data.insert_prose_min_words || PROSE_WORDS, longLine = data.insert_long_line_words || LONG_LINE_WORDS;
    var proseLine = function (text) {
      var words = text ? text.split(/\s+/).length : 0;
      return words > longLine || (words >= fewest &&
        (SENTENCE_END.test(text) || /[.!?]["\u201d\u2019)]*\s+[A-Z]/.test(text)));
    };
    if (!greeted) {
      // No greeting (a draft that lacks one): the letter's prose starts at the line that gives
      // the decision, else at its first line of prose (`proseLine`) that is no reference line (a user review: with none, an acknowledgement of feelings
      // went last, before "Kind regards", and early once the greeting was put in first).
      var prose = -1;
      for (i = 0; i < lines.length && prose < 0; i++) {
        var text = lines[i].trim();
        if (signOff.test(lines[i])) { break; }
        if ((decisionAt && !before && starts[i] + lines[i].length >= decisionAt[0]) ||
            (proseLine(text) && !any(reference, text))) {
          prose = i;
        }
      }
      if (prose < 0) { return null; }
      // (the start of a paragraph wrapped at a line length: the long lines above it with no
      // full stop at their end; an address line above is short)
      while (prose > 0 && !blank(prose - 1) && !SENTENCE_END.test(lines[prose - 1].trim()) &&
             lines[prose - 1].trim().split(/\s+/).length > 7 && !any(reference, lines[prose - 1].trim())) { prose--; }
      g = prose - 1;  // (as if a greeting stood just above it)
    }
    // (not a line of a paragraph wrapped at 70 characters, as a plain-text e-mail gives it: one
    // that starts with a small letter, or runs on to a next line that starts with one: "I am
    // writing about your neighbour, Mr Keith Dunmore, and the notes left on" / "your door ...")
    // (nor one that ends with a word no heading ends with, running on to the next line:
    // "... about the case against" / "Jordan Blake. We have ...": rules/structure.yml
    // subject_line_never_ends_with)
    var neverLast = data.subject_line_never_ends_with || [];
    var heading = function (k) {
      var line = lines[k].trim(), next = k + 1 < lines.length ? lines[k + 1].trim() : "";
      var words = line.split(/\s+/), lastWord = words[words.length - 1].toLowerCase().replace(/[^a-z\u2019']/g, "");
      return !SENTENCE_END.test(line) && words.length <= (data.subject_line_max_words || SUBJECT_WORDS) &&
        !/^[a-z]/.test(line) && !/^[a-z]/.test(next) && !(next && neverLast.indexOf(lastWord) >= 0);
    };
    var first = g + 1;
    while (first < lines.length && (blank(first) || any(reference, lines[first].trim()) || heading(first))) {
      if (signOff.test(lines[first])) { return null; }
      first++;
    }
    if (first >= lines.length || signOff.test(lines[first])) { return null; }
    var after = false;  // after the paragraph that states the decision, not the first one
    // the line holding the last character before `end`, when no sign-off comes before it (else -1)
    var lineOf = function (from, end) {
      var k = from;
      while (k + 1 < lines.length && starts[k + 1] <= end - 1) { k++; }
      for (var s = from; s <= k; s++) { if (signOff.test(lines[s])) { return -1; } }
      return k;
    };
    if (!before && (decisionAt || decision)) {
      // (a decision given in a subject line under the greeting, passed over above, and said
      // again below it still counts from where it ends)
      var found = decisionAt ? (decisionAt[1] > starts[first] ? Math.max(decisionAt[0], starts[first]) : -1) :
        letter.indexOf(decision, starts[first]);
      if (found >= 0) {
        var k = lineOf(first, decisionAt ? decisionAt[1] : found + decision.length);
        if (k > first) { first = k; after = true; }
      }
    }
    // A paragraph typed over several lines ends with a full stop before a line break; in a
    // letter whose paragraphs are set apart by blank lines (one wrapped at 70 characters, as a
    // plain-text e-mail gives it), only at a blank line, whatever ends the line.
    // (Set apart by blank lines: two blank lines at least between lines of the body, or one
    // and a long line that runs on to the next with no full stop; a Word file's letter, one
    // line a paragraph, may have a stray blank line, and headings that end with none.)
    var gaps = 0, runOn = 0;
    for (i = first; i + 1 < lines.length && !signOff.test(lines[i]); i++) {
      if (i > first && blank(i) && !blank(i - 1) && !blank(i + 1) && !signOff.test(lines[i + 1])) { gaps++; }
      if (!blank(i) && !blank(i + 1) && !SENTENCE_END.test(lines[i].trim()) &&
          lines[i].trim().split(/\s+/).length > 7) { runOn++; }
    }
    var gapped = gaps >= 2 || (gaps >= 1 && runOn >= 1);
    var paragraphEnd = function (from) {
      var last = from;
      while (last + 1 < lines.length && !blank(last + 1) && (gapped || !SENTENCE_END.test(lines[last].trim())) &&
             !signOff.test(lines[last + 1])) { last++; }
      return last;
    };
    var last = paragraphEnd(first);
    var apart = last + 1 < lines.length && blank(last + 1) ? "\n\n" : "\n";
    if (before) { return { pos: starts[first], text: value + apart, greeted: greeted }; }
    // Never between two sentences the checker reads together (`data.read_together`, followed
    // through the page's edits: a term and the next paragraph's sentence that explains it):
    // after the paragraph that holds the second. Past the last paragraph above the sign-off:
    // none here (the paragraph goes before the sign-off).
    var together = data.read_together || [], joined = false;
    for (var guard = 0; guard < lines.length; guard++) {
      var pos = starts[last] + lines[last].length, pair = null;
      for (var j = 0; j < together.length && !pair; j++) {
        if (together[j] && together[j][0] < pos && together[j][1] > pos) { pair = together[j]; }
      }
      if (!pair) { break; }
      var next = lineOf(last + 1, pair[1]);
      if (next < 0) { return null; }
      last = paragraphEnd(next);
      joined = true;
    }
    // A paragraph of feelings standing just after the decision (an acknowledgement, condolences,
    // an apology for a late letter, as the checker offers them: `data.feelings_inserts`, their
    // gaps "[name]" filled in or not) stays next to it: another early paragraph ("What the CPS
    // does") goes after it, not between them (a staff review).
    var feelings = (data.feelings_inserts || []).map(gapPattern);
    var isFeelings = function (text) { return feelings.some(function (re) { return re.test(text); }); };
    if (feelings.length && !isFeelings(value.trim())) {
      for (var more = 0; more < feelings.length; more++) {
        var next = last + 1;
        while (next < lines.length && blank(next)) { next++; }
        if (next >= lines.length || signOff.test(lines[next])) { break; }
        var end = paragraphEnd(next);
        if (!isFeelings(lines.slice(next, end + 1).join(" ").trim())) { break; }
        last = end;
        joined = true;
      }
    }
    apart = last + 1 < lines.length && blank(last + 1) ? "\n\n" : "\n";
    return { pos: starts[last] + lines[last].length, text: apart + value, afterDecision: after, joined: joined,
             greeted: greeted };
  }

  /* A paragraph the checker offers as a pattern for the same paragraph in a letter: spaces as
     any run of spaces or line breaks, each gap ("[name]") as the words typed over it. */
  function gapPattern(text) {
    var parts = text.trim().split(/(\[[^\]\n]{1,40}\])/);
    var source = parts.map(function (part, i) {
      if (i % 2) { return "[^\\n]{1,80}?"; }
      return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\s+/g, "\\s+").replace(/'/g, "['\u2019]");
    }).join("");
    return new RegExp("^" + source + "$");
  }

  /* Where the English half of a letter in Welsh and English, Welsh first (`data.welsh_first`),
     begins: its greeting, the last greeting of the letter (-1: none after the first). */
  function englishHalf(letter, data) {
    var greeting = compile(data.greeting), lines = letter.split("\n"), at = 0, found = [];
    for (var i = 0; i < lines.length; i++) {
      if (any(greeting, lines[i].trim())) { found.push(at); }
      at += lines[i].length + 1;
    }
    return found.length > 1 ? found[found.length - 1] : -1;
  }

  /* The page's data for the letter from `from` on (its places counted from there). */
  function from(data, start) {
    var out = {}, shift = function (r) { return r ? [r[0] - start, r[1] - start] : r; };
    Object.keys(data).forEach(function (k) { out[k] = data[k]; });
    out.welsh_first = false;
    if (out.decision_at) { out.decision_at = out.decision_at[1] > start ? shift(out.decision_at) : null; }
    if (out.decision_place) { out.decision_place = out.decision_place[1] > start ? shift(out.decision_place) : null; }
    if (out.read_together) { out.read_together = out.read_together.filter(function (r) { return r && r[0] >= start; }).map(shift); }
    return out;
  }

  /* {pos, text, said}: put `text` at `pos` of the letter; `said` tells where, for the page to
     say ("Paragraph inserted" + said). In a letter in Welsh and English, Welsh first, a
     paragraph (English: the checker offers no Welsh one there) goes in the English half, as it
     would in that half alone: not before the Welsh sign-off, "Yn gywir". */
  function place(letter, value, where, data) {
    if (data.welsh_first && where !== "top" && where !== "greeting") {
      var start = englishHalf(letter, data);
      if (start > 0) {
        var inHalf = place(letter.slice(start), value, where, from(data, start));
        return { pos: inHalf.pos + start, text: inHalf.text, said: " in the English half," + inHalf.said };
      }
    }
    if (where === "greeting") {
      var greeting = window.VclGreeting.place(letter, value, data);  // api/static/greeting.js
      return { pos: greeting.pos, text: greeting.text, said: " at the top of the letter, above the first paragraph" };
    }
    if (where === "top") {
      return { pos: 0, text: value + "\n\n", said: " at the top of the letter" };
    }
    if (where === "early" || where === "opening") {
      var early = earlyPlace(letter, value, where === "opening", data);
      if (early) {
        var under = early.greeted ? " under the greeting" : "";
        return { pos: early.pos, text: early.text, said: where === "opening" ? (early.greeted ? under + "," : "") + " as the first paragraph" :
          (early.afterDecision ? " after the paragraph that gives the decision" : " after the first paragraph" + under) +
          (early.joined ? " and the one that goes on from it" : "") };
      }
    }
    var match = signOffPattern(data).exec(letter);
    if (match) {
      // set apart as the paragraph above the sign-off is: a Word file's letter (one line a
      // paragraph) may still have a blank line under its page header, a review found
      var apart = /\n[ \t]*\n[ \t]*$/.test(letter.slice(0, match.index)) ? "\n\n" : "\n";
      return { pos: match.index, text: value + apart, said: " before the sign-off" };
    }
    var named = signature(letter, data);
    if (named) { return { pos: named.pos, text: value + named.apart, said: " above the name at the end" }; }
    return { pos: letter.length, text: (/\n\n$/.test(letter) ? "" : (/\n$/.test(letter) ? "\n" : "\n\n")) + value + "\n",
             said: " at the end" };
  }

  /* A letter with no sign-off the checker knows ("Cheers", "Yours sincerly", none at all) still
     ends with the writer's name, role and office: the last lines that are short (at most
     SIGNATURE_WORDS words) and end with no full stop, blank lines between them passed over, under
     the last line of prose. {pos, apart}: where they start, and how the paragraph put above them
     is set apart; null when there are none, or nothing but them under the greeting. */
  var SIGNATURE_WORDS = 8;
  function signature(letter, data) {
    var lines = letter.split("\n"), starts = [], at = 0, i;
    for (i = 0; i < lines.length; i++) { starts.push(at); at += lines[i].length + 1; }
    var greeting = compile(data.greeting), first = -1;
    for (i = lines.length - 1; i >= 0; i--) {
      var line = lines[i].trim();
      if (!line) { continue; }
      if (any(greeting, line)) { return null; }
      if (SENTENCE_END.test(line) || line.split(/\s+/).length > SIGNATURE_WORDS) { break; }
      first = i;
    }
    if (i < 0 || first < 0) { return null; }  // no prose above, or no name under it
    return { pos: starts[first], apart: first > 0 && !lines[first - 1].trim() ? "\n\n" : "\n" };
  }

  /* The decision's place [start, end] after an edit of the letter that replaced [p, so) of the
     old text with [p, sn) of the new (the pages' own `follow`): moved with the words after the
     edit, or stretched over an edit that touched it. */
  function follow(range, p, so, sn) {
    if (!range || range[1] <= p) { return range; }
    if (range[0] >= so) { return [range[0] + sn - so, range[1] + sn - so]; }
    return [Math.min(range[0], p), range[1] >= so ? range[1] + sn - so : sn];
  }

  /* The page's data with the decision where it now stands (`range`, followed since the page
     was made), for `place`; none when its words are gone. `together`: the sentences read
     together (`data.read_together`) where they now stand, followed the same way. */
  function withDecision(data, range, letter, together) {
    var out = {};
    Object.keys(data).forEach(function (k) { out[k] = data[k]; });
    out.decision_at = range && letter.slice(range[0], range[1]).trim() ? range : null;
    if (together) { out.read_together = together; }
    return out;
  }

  /* Makes a page's change in the editor `area` (its text `old` becoming `next`) as typing
     would, so that the browser's own Undo (Ctrl+Z) takes it back: setting the editor's text
     wipes its undo history. Only with a mouse or trackpad: on a phone, putting the cursor in
     the editor would open the keyboard. False when it could not be done so (the caller then
     sets the text). While it types, `applying(area)` is true: the page's input handler leaves
     the change to the caller. */
  function typeInto(area, old, next) {
    if (!document.execCommand || !window.matchMedia || !window.matchMedia("(pointer: fine)").matches) { return false; }
    var p = 0, max = Math.min(old.length, next.length);
    while (p < max && old.charAt(p) === next.charAt(p)) { p++; }
    var so = old.length, sn = next.length;
    while (so > p && sn > p && old.charAt(so - 1) === next.charAt(sn - 1)) { so--; sn--; }
    var before = document.activeElement, top = area.scrollTop, ok = false;
    area.setAttribute("data-applying", "1");
    try {
      area.focus({ preventScroll: true });
      area.setSelectionRange(p, so);
      ok = p === so && sn === p ? true : document.execCommand("insertText", false, next.slice(p, sn));
    } catch (e) {
      ok = false;
    } finally {
      area.removeAttribute("data-applying");
    }
    area.scrollTop = top;
    if (before && before !== area && before.focus) { before.focus({ preventScroll: true }); }
    return ok && area.value === next;
  }

  function applying(area) { return area.hasAttribute("data-applying"); }

  /* The paragraph to insert with the letter's own apostrophes: in a letter typed in Word, whose
     apostrophes are all curly, "Victims\u2019 Right to Review", not a straight one beside them
     (a review of the Word round trip). Any other letter gets the paragraph as it is. */
  function likeLetter(letter, value) {
    if (letter.indexOf("\u2019") >= 0 && letter.indexOf("'") < 0) { return value.replace(/'/g, "\u2019"); }
    return value;
  }

  window.VclInsert = { place: place, follow: follow, withDecision: withDecision, typeInto: typeInto, applying: applying,
                       likeLetter: likeLetter };
}());
