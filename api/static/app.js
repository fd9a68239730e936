/* Letter checker pages: focus on the error summary. (The letter page has its own script,
   letter.js.) Everything here is an extra: the forms work without it. */
(function () {
  "use strict";

  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }

}());

/* Panel rating page: words selected in the anonymised letter fill "Words from the letter" (and
   where they start, so a phrase that appears twice keeps the place chosen). Typing or pasting the
   words works the same without this. */
(function () {
  "use strict";

  var letter = document.getElementById("anonymised-letter");
  var quotes = document.querySelectorAll("textarea.mark-quote");
  if (!letter || !quotes.length) { return; }
  var status = document.getElementById("mark-status");
  var chosen = null;
  var timer = null;

  document.querySelectorAll(".mark-fieldset .js-only").forEach(function (el) { el.hidden = false; });
  quotes.forEach(function (q) {
    q.addEventListener("focus", function () { chosen = q; });
    q.addEventListener("input", function () {  // typed words: the server finds them itself
      var start = document.getElementById(q.id.replace("quote", "start"));
      if (start) { start.value = ""; }
    });
  });

  function target() {
    if (chosen) { return chosen; }
    for (var i = 0; i < quotes.length; i++) { if (!quotes[i].value.trim()) { return quotes[i]; } }
    return quotes[quotes.length - 1];
  }

  function take() {
    var sel = window.getSelection();
    if (!sel || sel.isCollapsed || !sel.rangeCount) { return; }
    var range = sel.getRangeAt(0);
    if (!letter.contains(range.startContainer) || !letter.contains(range.endContainer)) { return; }
    var raw = range.toString();
    var words = raw.trim();
    if (!words) { return; }
    var before = document.createRange();
    before.setStart(letter, 0);
    before.setEnd(range.startContainer, range.startOffset);
    var field = target();
    field.value = words;
    var start = document.getElementById(field.id.replace("quote", "start"));
    if (start) { start.value = String(before.toString().length + raw.length - raw.replace(/^\s+/, "").length); }
    var legend = field.closest("fieldset").querySelector("legend").textContent;
    if (status) { status.textContent = legend + ": the words you selected are in \u201cWords from the letter\u201d. Add your comment below them."; }
  }

  document.addEventListener("selectionchange", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(take, 200);
  });
}());
