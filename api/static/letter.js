/* The letter page: one editor with the problems marked in place, checked again as you type
   (POST /api/v1/check, nothing stored), one-click replacements, fields for template text,
   paragraphs to insert, and a filter by severity. Everything here is an extra: without it the
   page is a plain form (every button posts, and Save checks the letter again). */
(function () {
  "use strict";

  var dataEl = document.getElementById("letter-editor-data");
  if (!dataEl) { return; }
  var data = JSON.parse(dataEl.textContent);
  var area = document.getElementById("text");
  var layer = area ? document.getElementById("editor-marks") : document.getElementById("letter-view");
  var status = document.getElementById("edit-status");
  var list = document.getElementById("findings");
  var editForm = document.getElementById("edit-form");
  var tokenInput = document.querySelector("input[name=csrf_token]");
  var csrf = tokenInput ? tokenInput.value : "";
  var current = area ? area.value : data.text;
  // (places as the script counts them: an emoji is two; app.js vclQaPlaces)
  var given = window.vclQaPlaces(data.text);  // (the text the page was made with)
  var findings = given.findings(data.findings.map(function (f) { return copy(f); }));
  // Where the letter gives its decision (as the checker found it when the page was made),
  // followed through every edit made here, one-click changes to its words included: an early
  // paragraph goes after the paragraph that holds it (api/static/insert.js).
  var decision = data.decision_place ? data.decision_place.map(given.units) : null;
  // ... and the sentences an early paragraph must not come between, followed the same way
  var together = (data.read_together || []).map(function (r) { return r.map(given.units); });
  // The last one-click change (replace, put in, insert), for its "Undo this change" button: the
  // card it was made from (kept in the list after the letter is checked again), where the
  // words are and what they were.
  var lastChange = null;
  var shown = { error: true, warning: true, suggestion: true };
  var RANK = { error: 0, warning: 1, suggestion: 2 };
  var WIDE = 60;  // characters: a finding longer than this is about a sentence, not words
  // How many findings the list shows (rules/web.yml): a letter with thousands lists the first
  // `most`, and `alike` of the same check on the same words; the rest are counted.
  var LISTED = data.listed || { most: Infinity, alike: Infinity };
  // Where each rule's paragraph goes (api/web/letter_view.py `insert_where`; the rule's
  // `insert_place` in rules/*.yml): the decision first under the greeting ("opening"), an
  // acknowledgement of feelings, condolences or an apology after the paragraph giving the
  // decision ("early"), the rest before the sign-off; placed by api/static/insert.js.
  var EARLY = data.early_rules || [];
  var OPENING = data.opening_rules || [];
  var dirty = false, seq = 0, timer = null;
  // What is typed is kept in this browser tab (sessionStorage: gone when the tab closes, and on
  // signing out) until the page shows it saved: a session that ended while a letter was typed
  // sends Save to the sign-in page, and the words would otherwise be lost.
  var KEEP = "vcl-qa-unsaved-" + data.letter;
  // A letter page: the letter pasted on the check page, kept in case sending it failed
  // (app.js), made a letter, or this one is open instead: forgotten.
  var unsaved = window.vclQaUnsaved;  // (app.js: read, write, forget, offer)
  unsaved.forget("vcl-qa-unsaved-check");
  // The site's own root, as the server wrote the form's address (it may run under a path).
  var root = editForm ? editForm.getAttribute("action").replace(/\/letters\/\d+\/versions$/, "") : "";

  function copy(f) {
    var o = {};
    Object.keys(f).forEach(function (k) { o[k] = f[k]; });
    o.alive = true;
    return o;
  }

  function say(text) { if (status) { status.textContent = text; } }

  document.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });

  /* --- marks under the words ---------------------------------------------------------- */

  function render() {
    if (!layer) { return; }
    var alive = findings.filter(function (f) { return f.alive && f.start !== null && f.end !== null && f.end > f.start; });
    var cuts = [0, current.length];
    alive.forEach(function (f) { cuts.push(f.start, f.end); });
    cuts = cuts.filter(function (v, i, a) { return v >= 0 && v <= current.length && a.indexOf(v) === i; })
      .sort(function (a, b) { return a - b; });
    layer.textContent = "";
    for (var i = 0; i < cuts.length - 1; i++) {
      var s = cuts[i], e = cuts[i + 1];
      if (e <= s) { continue; }
      var piece = current.slice(s, e);
      var cover = alive.filter(function (f) { return f.start <= s && f.end >= e; });
      if (!cover.length) { layer.appendChild(document.createTextNode(piece)); continue; }
      var visible = cover.filter(function (f) { return shown[f.severity]; });
      // Words are shaded; a whole sentence (a long one, say) is only underlined, so that the
      // words marked inside it still show.
      var words = visible.filter(function (f) { return f.end - f.start <= WIDE; });
      var pick = words.length ? words : visible;
      var worst = (pick.length ? pick : cover).reduce(function (a, f) {
        return RANK[f.severity] < RANK[a] ? f.severity : a; }, "suggestion");
      var mark = document.createElement("mark");
      mark.className = "sev-" + worst + (!visible.length ? " filtered" : (words.length ? "" : " wide"));
      mark.setAttribute("data-findings", cover.map(function (f) { return f.n; }).join(" "));
      mark.appendChild(document.createTextNode(piece));
      layer.appendChild(mark);
    }
    if (area) {
      layer.appendChild(document.createTextNode("\n"));  // the textarea's last line has room too
      layer.scrollTop = area.scrollTop;
    }
  }

  /* Moves marks after an edit; a finding whose own words changed waits for the next check. */
  function follow(oldText, newText) {
    var p = 0, max = Math.min(oldText.length, newText.length);
    while (p < max && oldText.charAt(p) === newText.charAt(p)) { p++; }
    var so = oldText.length, sn = newText.length;
    while (so > p && sn > p && oldText.charAt(so - 1) === newText.charAt(sn - 1)) { so--; sn--; }
    var delta = sn - so;
    decision = window.VclInsert.follow(decision, p, so, sn);
    together = together.map(function (r) { return window.VclInsert.follow(r, p, so, sn); });
    if (lastChange) {  // the changed words move with the edit, or are edited and cannot be undone here
      var a = lastChange.start, b = a + lastChange.after.length;
      if (b > p) {
        if (a >= so) { lastChange.start += delta; } else { lastChange.broken = true; }
      }
    }
    findings.forEach(function (f) {
      if (!f.alive || f.start === null) { return; }
      var lo = Math.min(f.start, f.replace_start === null || f.replace_start === undefined ? f.start : f.replace_start);
      var hi = Math.max(f.end, f.replace_end === null || f.replace_end === undefined ? f.end : f.replace_end);
      if (hi <= p) { return; }
      if (lo >= so) {
        f.start += delta; f.end += delta;
        if (f.replace_start !== null && f.replace_start !== undefined) { f.replace_start += delta; f.replace_end += delta; }
        return;
      }
      if (f.start <= p && f.end >= so && !f.text) { f.end += delta; return; }
      f.alive = false;
      done(f.n, "You changed these words: they are being checked again.");
    });
  }

  function setText(next, caret) {
    var old = current;
    follow(current, next);
    current = next;
    if (area) {
      // made as typing is, so that the browser's Undo takes it back (api/static/insert.js)
      if (area.value !== old || !window.VclInsert.typeInto(area, old, next)) { area.value = next; }
      if (caret !== undefined) { area.focus(); area.setSelectionRange(caret[0], caret[1]); }
    }
    changed();
  }

  /* Keeps the change just made from card `n` for its "Undo this change" button (one at a
     time: the change before it is left to the browser's Undo, or to be changed back by hand). */
  function remember(n, start, before, after) {
    if (lastChange && lastChange.card.parentNode) {
      var old = lastChange.card.querySelector("button.undo-change");
      if (old) { old.remove(); }
    }
    var c = card(n);
    lastChange = null;
    if (!c) { return; }
    var note = c.querySelector(".finding-done");
    lastChange = { card: c, start: start, before: before, after: after, said: note.textContent,
                   index: Array.prototype.indexOf.call(list.children, c),
                   prior: current.slice(0, start) + before + current.slice(start + after.length) };
    note.parentNode.insertBefore(undoButton(), note.nextSibling);
  }

  function undoButton() {
    return el("button", { type: "button", className: "button button-small button-secondary undo-change" },
              "Undo this change");
  }

  function undoLast(button) {
    var c = button.closest("li"), note = c.querySelector(".finding-done");
    var ch = lastChange;
    button.remove();
    if (!ch || ch.card !== c) { return; }
    lastChange = null;
    if (ch.broken || current.slice(ch.start, ch.start + ch.after.length) !== ch.after) {
      note.textContent = "These words have been changed since, so this cannot be undone here: change them back in the letter.";
      return;
    }
    setText(current.slice(0, ch.start) + ch.before + current.slice(ch.start + ch.after.length));
    note.textContent = "Undone: the letter is as it was before this change. It is being checked again.";
    say("Undone.");
  }

  function changed() {
    dirty = true;
    unsaved.write(KEEP, { text: current });
    render();
    schedule();
  }

  // Text typed on this page that the page does not show (it was not saved): offer it back.
  function offerKept() {
    var k = unsaved.read(KEEP, function (x) { return typeof x.text === "string"; });
    if (!k || !area) { return; }
    if (k.text === area.value) { unsaved.forget(KEEP); return; }  // saved (or typed back to what is saved)
    var box = document.getElementById("unsaved-kept");
    if (!box) { return; }
    unsaved.offer(box, KEEP, k, function () {
      setText(k.text);
      say("Your unsaved text is back in the letter. Save to keep it as a new version.");
    });
  }

  function find(n) {
    for (var i = 0; i < findings.length; i++) { if (findings[i].n === n) { return findings[i]; } }
    return null;
  }

  function card(n) { return document.getElementById("f-" + n); }

  function done(n, message) {
    var c = card(n);
    if (!c) { return; }
    var note = c.querySelector(".finding-done");
    if (note) { note.textContent = message; note.hidden = false; }
    c.classList.add("resolved");
    c.querySelectorAll("button.apply, button.insert, button.fill").forEach(function (b) { b.disabled = true; });
  }

  /* --- checking as you type ----------------------------------------------------------- */

  function schedule() {
    window.clearTimeout(timer);
    say("Checking when you stop typing\u2026");
    timer = window.setTimeout(check, 700);
  }

  function check() {
    var mine = ++seq, text = current;
    fetch(root + "/api/v1/check", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ text: text, context: data.context, marks_of: data.marks_of })
    }).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, status: r.status, body: body }; });
    }).then(function (res) {
      if (mine !== seq || text !== current) { return; }  // a newer check is on its way
      if (res.status === 401) {
        say("You have been signed out, so this letter can be neither checked nor saved here. Your text is " +
            "kept in this browser tab: sign in again in this tab and open this letter, and it is offered back.");
        return;
      }
      if (res.status === 429) {  // this person's other checks are still waiting: try again shortly
        say("Waiting for your other checks to finish\u2026");
        window.clearTimeout(timer);
        timer = window.setTimeout(check, 2000);
        return;
      }
      if (!res.ok) {
        say("Not checked: " + ((res.body.error && res.body.error.message) || "something went wrong") + ". Save to check it.");
        return;
      }
      update(res.body);
    }).catch(function () {
      if (mine === seq) { say("Could not check just now. Save to check the letter."); }
    });
  }

  function update(result) {
    var score = document.getElementById("score"), verdict = document.getElementById("verdict");
    var box = document.getElementById("score-box");
    if (score) { score.textContent = result.score; }
    if (verdict) { verdict.textContent = data.verdicts[result.verdict] || result.verdict; }
    if (box) { box.className = "score-box verdict-" + result.verdict; }
    Object.keys(result.dimensions).forEach(function (d) {
      var el = document.getElementById("part-" + d);
      var dim = result.dimensions[d];
      if (el) { el.textContent = dim.assessed ? dim.score + (partly(dim) ? " (partly checked)" : "") : "not checked"; }
    });
    var active = result.findings.filter(function (f) { return !f.suppressed; });
    active.sort(function (a, b) {
      return (RANK[a.severity] - RANK[b.severity]) || ((a.start === null ? -1 : a.start) - (b.start === null ? -1 : b.start));
    });
    var all = window.vclQaPlaces(current).findings(
      active.map(function (f, i) { var o = copy(f); o.n = i + 1; o.kind = kindOf(f); return o; }));
    var listed = listing(all);
    findings = listed.shown;
    list.textContent = "";
    findings.forEach(function (f) { list.appendChild(build(f)); });
    if (lastChange) {  // where the card the last change was made from stood: what was done, and its Undo
      var note = el("li", { className: "change-note" });
      note.setAttribute("data-severity", lastChange.card.getAttribute("data-severity") || "suggestion");
      note.appendChild(el("p", { className: "finding-done", role: "status" }, lastChange.said));
      note.appendChild(undoButton());
      list.insertBefore(note, list.children[lastChange.index] || null);
      lastChange.card = note;
    }
    unlisted(listed.rest);
    counts(all);
    filter();
    render();
    say("Checked as you typed: " + result.score + " out of 100. Not saved yet: press \u201cSave as a new version\u201d to keep it.");
    if (status) { status.setAttribute("data-checks", String(seq)); }
  }

  // As engine/report.py partly_checked: some of the part's checks could not run for a reason
  // no letter detail mends ("the letter is in Welsh"; not "needs 'withdrawal' ...").
  function partly(dim) {
    return (dim.not_assessed || []).some(function (line) {
      return !/^needs /.test(line.slice(line.indexOf(": ") + 2));
    });
  }

  function counts(all) {
    var n = { error: 0, warning: 0, suggestion: 0 };
    all.forEach(function (f) { n[f.severity] += 1; });
    Object.keys(n).forEach(function (sev) {
      var el = document.getElementById("count-" + sev);
      if (el) { el.textContent = n[sev]; }
    });
    var total = document.getElementById("findings-count");
    if (total) { total.textContent = all.length; }
    var none = document.getElementById("nothing-to-fix");
    if (none) { none.hidden = all.length > 0; }
    var hint = document.getElementById("findings-listed"), shown = document.getElementById("listed-count");
    if (hint) { hint.hidden = findings.length === all.length; }
    if (shown) { shown.textContent = findings.length; }
  }

  function number(n) { return n.toLocaleString("en-GB"); }

  /* The findings the list shows, as the server chooses them (api/web/letter_view.py `listing`):
     at most LISTED.most, and LISTED.alike of the same check on the same words, the last shown of
     each kind counting the others (`more_alike`); the rest counted by check and severity. */
  function listing(all) {
    var shown = [], seen = {}, last = {}, more = {}, rest = {}, groups = [];
    all.forEach(function (f) {
      var key = f.rule + "\u0000" + (f.text || "").toLowerCase();
      seen[key] = (seen[key] || 0) + 1;
      if (seen[key] <= LISTED.alike && shown.length < LISTED.most) {
        last[key] = shown.length;
        f.more_alike = 0;
        shown.push(f);
        return;
      }
      more[key] = (more[key] || 0) + 1;
      var gk = f.severity + "\u0000" + f.rule;
      if (!rest[gk]) {
        rest[gk] = { title: data.rule_titles[f.rule] || f.rule, severity: f.severity, count: 0, words: [] };
        groups.push(rest[gk]);
      }
      var g = rest[gk], words = (f.text || "").trim();
      g.count += 1;
      if (words && g.words.length < 3 && g.words.map(function (w) { return w.toLowerCase(); }).indexOf(words.toLowerCase()) < 0) {
        g.words.push(words.length > 40 ? words.slice(0, 37) + "..." : words);
      }
    });
    Object.keys(last).forEach(function (key) { shown[last[key]].more_alike = more[key] || 0; });
    groups.sort(function (a, b) {
      return (RANK[a.severity] - RANK[b.severity]) || (b.count - a.count) || (a.title < b.title ? -1 : a.title > b.title ? 1 : 0);
    });
    return { shown: shown, rest: groups };
  }

  /* The findings not listed, counted by check (as api/templates/letter.html draws them). */
  function unlisted(groups) {
    var box = document.getElementById("findings-unlisted");
    if (!box) { return; }
    box.textContent = "";
    if (!groups.length) { return; }
    var total = groups.reduce(function (a, g) { return a + g.count; }, 0);
    box.appendChild(el("h3", { id: "unlisted-heading" }, "Not listed here (" + number(total) + ")"));
    var ul = el("ul", { className: "unlisted-list", "aria-labelledby": "unlisted-heading" });
    groups.forEach(function (g) {
      var li = el("li");
      li.appendChild(el("span", { className: "badge sev-" + g.severity }, data.severities[g.severity] || g.severity));
      var words = g.words.length ? " (such as " + g.words.map(function (w) { return "\u201c" + w + "\u201d"; }).join(", ") + ")" : "";
      li.appendChild(document.createTextNode(" " + g.title + ": " + number(g.count) + words));
      ul.appendChild(li);
    });
    box.appendChild(ul);
  }

  function kindOf(f) {
    if (f.replacements && f.replacements.length) { return "replace"; }
    if (f.rule === "content.placeholder" && f.start !== null) { return "fill"; }
    if (f.suggestions && f.suggestions.length) { return f.start === null ? "insert" : "advice"; }
    return "none";
  }

  function placeholderLabel(words) {
    var inner = words.replace(/^[\[<{]+|[\]>}]+$/g, "").replace(/_/g, " ").trim()
      .replace(/^(insert|enter|add)\s+(the\s+)?/i, "").trim();
    if (!/[A-Za-z]/.test(inner) || /^[Xx\/]+$/.test(inner) || /^dd\/mm\/yy(yy)?$/i.test(inner)) { return "The missing words"; }
    inner = inner.toLowerCase();
    return inner.charAt(0).toUpperCase() + inner.slice(1);
  }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "className") { e.className = attrs[k]; } else { e.setAttribute(k, attrs[k]); }
    });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function hidden(form, name, value) { form.appendChild(el("input", { type: "hidden", name: name, value: String(value) })); }

  function postForm(action) {
    var form = el("form", { method: "post", action: root + "/letters/" + data.letter + action });
    hidden(form, "csrf_token", csrf);
    return form;
  }

  /* A finding's card, as the server draws it (api/templates/_finding.html). */
  // as api/templates/_finding.html says it
  var ELSEWHERE = "Marked \u201cnot a problem\u201d elsewhere in this letter, not here (the reason given there: ";
  var ELSEWHERE_AFTER = "Look at this one: it counts until you mark it too, with its own reason.";

  function build(f) {
    var li = el("li", { className: "finding sev-" + f.severity, id: "f-" + f.n, "data-finding": f.n, "data-severity": f.severity });
    var head = el("p", { className: "finding-head" });
    head.appendChild(el("span", { className: "badge sev-" + f.severity }, data.severities[f.severity] || f.severity));
    head.appendChild(document.createTextNode(" "));
    head.appendChild(el("span", { className: "finding-title" }, (data.rule_titles[f.rule] || f.rule)));
    li.appendChild(head);
    li.appendChild(el("p", { className: "finding-message" }, f.message));
    if (f.marked_elsewhere) {  // the same words marked not a problem in another place (engine/run.py suppress)
      li.appendChild(el("p", { className: "finding-elsewhere" }, ELSEWHERE + "\u201c" + f.marked_elsewhere + "\u201d). " + ELSEWHERE_AFTER));
    }
    if (f.start !== null && f.text) {
      var where = el("p", { className: "finding-text" }, "In the letter: ");
      var words = f.text.length > 80 ? f.text.slice(0, 77) + "..." : f.text;
      where.appendChild(el("a", { href: "#text", className: "show-words", "data-finding": f.n }, "\u201c" + words + "\u201d"));
      li.appendChild(where);
    }
    if (f.kind === "replace") {
      var form = postForm("/changes");
      form.className = "change-form";
      hidden(form, "version", data.version);  // the version the change was checked on
      var chars = window.vclQaPlaces(current).chars;  // (the server counts characters: an emoji is one)
      hidden(form, "start", chars(f.replace_start)); hidden(form, "end", chars(f.replace_end));
      hidden(form, "original", current.slice(f.replace_start, f.replace_end));
      var actions = el("p", { className: "actions" });
      f.replacements.forEach(function (r) {
        actions.appendChild(el("button", { type: "submit", name: "value", value: r, className: "button button-small apply", "data-finding": f.n }, "Use \u201c" + r + "\u201d"));
      });
      form.appendChild(actions);
      li.appendChild(form);
    } else if (f.kind === "fill") {
      var fill = postForm("/changes");
      fill.className = "fill-form";
      hidden(fill, "version", data.version);
      var at = window.vclQaPlaces(current).chars;
      hidden(fill, "start", at(f.start)); hidden(fill, "end", at(f.end)); hidden(fill, "original", f.text);
      var label = placeholderLabel(f.text);
      hidden(fill, "label", label);
      fill.appendChild(el("label", { "for": "fill-" + f.n }, label));
      var row = el("div", { className: "fill-row" });
      row.appendChild(el("input", { id: "fill-" + f.n, name: "value", type: "text", autocomplete: "off", "data-finding": f.n }));
      row.appendChild(el("button", { type: "submit", className: "button button-small fill", "data-finding": f.n }, "Put it in"));
      fill.appendChild(row);
      li.appendChild(fill);
    } else if (f.kind === "insert") {
      var top = data.top_rules.indexOf(f.rule) >= 0, greet = (data.greeting_rules || []).indexOf(f.rule) >= 0;
      li.appendChild(el("p", { className: "finding-suggest-label" }, greet ? "The greeting for the name in the letter's details:" :
        "A paragraph you could add, then change to fit this case:"));
      li.appendChild(el("blockquote", { className: "suggested" }, f.suggestions[0]));
      var p = el("p", { className: "actions" });
      p.appendChild(el("button", { type: "button", className: "button button-small insert", "data-finding": f.n,
        "data-value": f.suggestions[0], "data-where": top ? "top" : (greet ? "greeting" : (OPENING.indexOf(f.rule) >= 0 ? "opening" :
          (EARLY.indexOf(f.rule) >= 0 ? "early" : "body"))) },
        top ? "Insert at the top of the letter" : (greet ? "Insert the greeting" : "Insert this paragraph")));
      li.appendChild(p);
    } else if (f.kind === "advice") {
      var advice = el("p", { className: "finding-advice" });
      advice.appendChild(el("strong", {}, "Suggestion: "));
      advice.appendChild(document.createTextNode(f.suggestions.join(" / ")));
      li.appendChild(advice);
      li.appendChild(el("p", { className: "hint" }, "Fit it into the sentence yourself: it cannot simply replace the words."));
    }
    if ((data.unmarkable_rules || []).indexOf(f.rule) >= 0) {  // lateness: from the dates, not the words
      li.appendChild(el("p", { className: "hint" }, "This comes from the letter's dates, so it cannot be marked not a problem. If a date is wrong, check the letter again with the right dates."));
    } else {
      li.appendChild(notAProblem(f));
    }
    if (f.more_alike) {
      li.appendChild(el("p", { className: "finding-more" }, "And " + number(f.more_alike) +
        " more like this further on in the letter (the same words), not listed here: fix them the same way."));
    }
    if (f.why) {
      var why = el("details", { className: "finding-why" });
      why.appendChild(el("summary", {}, "Why it matters"));
      why.appendChild(el("p", {}, f.why));
      li.appendChild(why);
    }
    var note = el("p", { className: "finding-done", role: "status" });
    note.hidden = true;
    li.appendChild(note);
    return li;
  }

  function notAProblem(f) {
    var details = el("details", { className: "not-a-problem" });
    details.appendChild(el("summary", {}, "Not a problem in this letter?"));
    var sup = postForm("/suppressions");
    hidden(sup, "rule", f.rule);
    hidden(sup, "n", f.n);
    hidden(sup, "version", data.version);  // the version the page was opened on
    if (f.start !== null && f.text) { hidden(sup, "term", f.text); }
    sup.appendChild(el("label", { "for": "reason-" + f.n }, "Why is it fine here?"));
    sup.appendChild(el("p", { className: "hint", id: "reason-" + f.n + "-hint" }, "Save your changes first. Say why in at least 3 words, so that someone reading it later can check it (for example \u201cquoted from the court order\u201d). It stays on this page, struck through, with your name and reason."));
    sup.appendChild(el("input", { id: "reason-" + f.n, name: "reason", type: "text", required: "required", "aria-describedby": "reason-" + f.n + "-hint" }));
    sup.appendChild(el("button", { type: "submit", className: "button button-small button-secondary" }, "Mark as not a problem"));
    details.appendChild(sup);
    return details;
  }

  /* --- what the buttons do -------------------------------------------------------------- */

  function replaceWith(button) {
    var f = find(Number(button.getAttribute("data-finding")));
    if (!f || !f.alive) { return; }
    var form = button.form, original = form.querySelector("input[name=original]").value;
    if (current.slice(f.replace_start, f.replace_end) !== original) {
      done(f.n, "These words have changed since the letter was checked.");
      return;
    }
    var value = button.value, at = f.replace_start;
    f.alive = false;
    setText(current.slice(0, f.replace_start) + value + current.slice(f.replace_end));
    done(f.n, "Changed \u201c" + original + "\u201d to \u201c" + value + "\u201d. It is being checked again; save to keep it.");
    remember(f.n, at, original, value);
    say("Changed \u201c" + original + "\u201d to \u201c" + value + "\u201d.");
  }

  function fillIn(form) {
    var input = form.querySelector("input[name=value]");
    var f = find(Number(input.getAttribute("data-finding")));
    if (!f || !f.alive) { return; }
    var value = input.value.trim();
    if (!value) {
      say("Type " + form.querySelector("label").textContent.toLowerCase() + " in the box first.");
      input.focus();
      return;
    }
    if (current.slice(f.start, f.end) !== f.text) {
      done(f.n, "These words have changed since the letter was checked.");
      return;
    }
    f.alive = false;
    var start = f.start, end = f.end;
    /* A sentence typed over Word's prompt "Click or tap here to enter text." brings its own
       full stop: the prompt's goes with it, not "none.." (the server does the same). */
    if (/[.!?]$/.test(value) && current.charAt(end) === ".") { end += 1; }
    var was = current.slice(start, end);
    setText(current.slice(0, start) + value + current.slice(end), [start, start + value.length]);
    done(f.n, "Put in \u201c" + value + "\u201d. Save to keep it.");
    remember(f.n, start, was, value);
  }

  function insert(button) {
    var value = window.VclInsert.likeLetter(current, button.getAttribute("data-value"));
    var where = button.getAttribute("data-where");
    var placed = window.VclInsert.place(current, value, where, window.VclInsert.withDecision(data, decision, current, together));
    var start = placed.pos + placed.text.indexOf(value);
    setText(current.slice(0, placed.pos) + placed.text + current.slice(placed.pos), [start, start + value.length]);
    var n = Number(button.getAttribute("data-finding"));
    done(n, where === "greeting" ?
      "Greeting inserted" + placed.said + ". Save to keep it." :
      "Paragraph inserted" + placed.said + ". Change it to fit this case, then save.");
    remember(n, placed.pos, "", placed.text);
  }

  function showWords(link) {
    var f = find(Number(link.getAttribute("data-finding")));
    if (!f || !area || f.start === null) { return false; }
    area.focus();
    area.setSelectionRange(f.start, f.end);
    var mark = layer.querySelector("mark[data-findings~=\"" + f.n + "\"]");
    if (mark) { area.scrollTop = Math.max(0, mark.offsetTop - area.clientHeight / 3); }
    return true;
  }

  function filter() {
    document.querySelectorAll("#findings > li").forEach(function (li) {
      li.hidden = !shown[li.getAttribute("data-severity")];
    });
    render();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!area) { return; }
    if (form.classList.contains("change-form")) {
      event.preventDefault();
      var button = event.submitter;
      if (button && button.classList.contains("apply") && !button.disabled) { replaceWith(button); }
    } else if (form.classList.contains("fill-form")) {
      event.preventDefault();
      fillIn(form);
    } else if (form === editForm) {
      dirty = false;
    }
  });
  document.addEventListener("click", function (event) {
    var b = event.target.closest("button.insert");
    if (b && !b.disabled) { insert(b); return; }
    var undo = event.target.closest("button.undo-change");
    if (undo) { undoLast(undo); return; }
    var link = event.target.closest("a.show-words");
    if (link && showWords(link)) { event.preventDefault(); }
  });
  document.querySelectorAll("#severity-filter input").forEach(function (box) {
    box.addEventListener("change", function () { shown[box.value] = box.checked; filter(); });
  });
  if (area) {
    area.addEventListener("input", function () {
      if (window.VclInsert.applying(area)) { return; }  // the page's own change (setText follows it)
      if (lastChange && area.value === lastChange.prior) {  // the browser's Undo took it back
        var u = lastChange.card.querySelector("button.undo-change");
        if (u) { u.remove(); }
        var n = lastChange.card.querySelector(".finding-done");
        if (n) { n.textContent = "Undone: the letter is as it was before this change. It is being checked again."; }
        lastChange = null;
      }
      follow(current, area.value);
      current = area.value;
      changed();
    });
    area.addEventListener("scroll", function () { layer.scrollTop = area.scrollTop; });
    window.addEventListener("resize", render);
    window.addEventListener("beforeunload", function (event) {
      if (dirty) { event.preventDefault(); event.returnValue = ""; }
    });
    offerKept();
  }
  render();
}());
