/* Letter checker pages: highlights that follow edits, one-click suggestions, focus on errors
   (the training exercise page; the letter page has its own script, letter.js). Everything here
   is an extra: the forms work without it. */
(function () {
  "use strict";

  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
    // A link in the summary goes to its box with the box's label or legend (and the error
    // under it) in view, not the box alone at the very top of the screen (GOV.UK's pattern).
    summary.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a[href^='#']") : null;
      var target = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!target) { return; }
      var box = /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName) ? target : target.querySelector("input, select, textarea");
      var fieldset = target.closest("fieldset");
      var heading = (fieldset && fieldset.querySelector("legend")) ||
        (box && box.id && document.querySelector("label[for='" + box.id + "']"));
      if (!box || !heading) { return; }
      event.preventDefault();
      heading.scrollIntoView();
      box.focus({ preventScroll: true });
    });
  }

  // Text not yet saved or checked, kept in this browser tab (sessionStorage: gone when the tab
  // closes) under "vcl-qa-unsaved-...", and offered back in a box with a "put back" and a
  // "discard" button (data-put-back, data-discard): the check page here, the letter page in
  // letter.js. With storage off, nothing is kept.
  var unsaved = window.vclQaUnsaved = {
    read: function (key, valid) {
      try {
        var k = JSON.parse(window.sessionStorage.getItem(key) || "null");
        return k && valid(k) ? k : null;
      } catch (e) { return null; }
    },
    write: function (key, value) {
      value.at = Date.now();
      try { window.sessionStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* off or full */ }
    },
    forget: function (key) {
      try { window.sessionStorage.removeItem(key); } catch (e) { /* nothing kept */ }
    },
    offer: function (box, key, kept, putBack, store) {
      var at = new Date(kept.at);
      box.querySelector(".unsaved-when").textContent = isNaN(at) ? "" :
        " at " + at.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
      box.hidden = false;
      box.querySelector("[data-put-back]").addEventListener("click", function () {
        box.hidden = true;
        putBack(kept);
      });
      box.querySelector("[data-discard]").addEventListener("click", function () {
        (store || unsaved).forget(key);
        box.hidden = true;
      });
    }
  };

  /* Places in a letter as the server gives them (a count of characters: Python's) and as the
     page's scripts count them (JavaScript's, in which a character beyond U+FFFF, such as an
     emoji, counts twice). A staff review found an emoji early in a letter put every one-click
     change after it two places early ("t**o info**rm", then "ttellrm"). `places(text)` turns a
     server's place in `text` into the script's (`units`) and back (`chars`); `findings` turns a
     list of findings' places. */
  var PLACE_KEYS = ["start", "end", "replace_start", "replace_end"];
  var places = window.vclQaPlaces = function (text) {
    var pairs = [];  // where each pair of surrogates starts, in the script's count
    if (/[\uD800-\uDBFF][\uDC00-\uDFFF]/.test(text)) {
      for (var i = 0; i < text.length - 1; i++) {
        var c = text.charCodeAt(i), d = text.charCodeAt(i + 1);
        if (c >= 0xD800 && c <= 0xDBFF && d >= 0xDC00 && d <= 0xDFFF) { pairs.push(i); i++; }
      }
    }
    // how many pairs come before a place: by halves, as a pasted letter of emoji with thousands
    // of findings would otherwise read the list once a finding
    var before = function (place, key) {
      var lo = 0, hi = pairs.length;
      while (lo < hi) {
        var mid = (lo + hi) >> 1;
        if (key(mid) < place) { lo = mid + 1; } else { hi = mid; }
      }
      return lo;
    };
    return {
      units: function (at) {
        if (at === null || at === undefined || !pairs.length) { return at; }
        return at + before(at, function (k) { return pairs[k] - k; });
      },
      chars: function (at) {
        if (at === null || at === undefined || !pairs.length) { return at; }
        return at - before(at, function (k) { return pairs[k]; });
      },
      findings: function (list) {
        if (pairs.length) {
          var self = this;
          list.forEach(function (f) {
            PLACE_KEYS.forEach(function (key) { if (typeof f[key] === "number") { f[key] = self.units(f[key]); } });
          });
        }
        return list;
      }
    };
  };

  /* The same on this device rather than in this tab (localStorage), for a panel member's answers
     on a letter: a member whose session ended signs in again with a new link, which opens in a
     new tab. Kept for `LASTING_DAYS` at most; signing out forgets it. */
  var LASTING_DAYS = 2;
  var lasting = window.vclQaUnsaved.lasting = {
    read: function (key, valid) {
      try {
        var k = JSON.parse(window.localStorage.getItem(key) || "null");
        if (k && !(Date.now() - k.at < LASTING_DAYS * 864e5)) { lasting.forget(key); return null; }
        return k && valid(k) ? k : null;
      } catch (e) { return null; }
    },
    write: function (key, value) {
      value.at = Date.now();
      try { window.localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* off or full */ }
    },
    forget: function (key) {
      try { window.localStorage.removeItem(key); } catch (e) { /* nothing kept */ }
    }
  };

  // Signing out forgets all of it.
  document.addEventListener("submit", function (event) {
    if (!event.target.classList || !event.target.classList.contains("sign-out")) { return; }
    [[window.sessionStorage, unsaved], [window.localStorage, lasting]].forEach(function (pair) {
      try {
        Object.keys(pair[0]).forEach(function (key) {
          if (key.indexOf("vcl-qa-unsaved-") === 0) { pair[1].forget(key); }
        });
      } catch (e) { /* storage off: nothing kept */ }
    });
  });

  // The check page: the pasted letter and the case details are kept in this tab as they are
  // sent (sessionStorage), so that a session that ended meanwhile (sending goes to the sign-in
  // page first) does not lose them: the empty form then offers them back. The letter page a
  // check makes forgets them (letter.js), and so does signing out.
  var CHECK_KEEP = "vcl-qa-unsaved-check";
  var checkForm = document.querySelector("form[action$='/check']");
  var pasted = checkForm && checkForm.querySelector("textarea[name=text]");
  var kept = checkForm ? unsaved.read(CHECK_KEEP, function (k) { return typeof k.text === "string" && k.fields; }) : null;

  function keptFields(form) {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "file" || el.type === "hidden" || el.type === "submit" || el.type === "button") { return; }
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) { return; }
      out[el.name] = el.value;
    });
    return out;
  }

  if (pasted) {
    checkForm.addEventListener("submit", function () {
      if (!pasted.value.trim()) { return; }
      unsaved.write(CHECK_KEEP, { text: pasted.value, fields: keptFields(checkForm) });
    });
    var offer = document.getElementById("check-kept");
    if (kept && pasted.value.trim()) {
      unsaved.forget(CHECK_KEEP);  // the form shows a letter already (sent back with an error to mend)
    } else if (kept && offer) {
      unsaved.offer(offer, CHECK_KEEP, kept, function () {
        Object.keys(kept.fields).forEach(function (name) {
          Array.prototype.forEach.call(checkForm.elements, function (el) {
            if (el.name !== name) { return; }
            if (el.type === "checkbox" || el.type === "radio") { el.checked = el.value === kept.fields[name]; } else { el.value = kept.fields[name]; }
          });
        });
        pasted.focus();
      });
    }
  }

  // A training exercise: the letter typed is kept in this tab as it is sent, as on the check
  // page, so that a session that ended meanwhile (sending goes to the sign-in page, then back
  // to the exercise) does not lose it: the exercise then offers it back. A page that shows it
  // (the attempt checked, or sent back with an error to mend) forgets it.
  var attemptForm = document.getElementById("attempt-form");
  var attemptText = attemptForm && attemptForm.querySelector("textarea[name=text]");
  if (attemptText) {
    var attemptKey = "vcl-qa-unsaved-" + attemptForm.getAttribute("action");
    var typed = unsaved.read(attemptKey, function (k) { return typeof k.text === "string" && k.fields; });
    attemptForm.addEventListener("submit", function () {
      if (attemptText.value.trim()) { unsaved.write(attemptKey, { text: attemptText.value, fields: keptFields(attemptForm) }); }
    });
    var attemptOffer = document.getElementById("attempt-kept");
    var same = function (a, b) { return a.replace(/\r\n?/g, "\n").trim() === b.replace(/\r\n?/g, "\n").trim(); };
    if (typed && same(typed.text, attemptText.value)) {
      unsaved.forget(attemptKey);
    } else if (typed && attemptOffer) {
      unsaved.offer(attemptOffer, attemptKey, typed, function () {
        Object.keys(typed.fields).forEach(function (name) {
          var el = attemptForm.elements[name];
          if (el && el.type !== "file") { el.value = typed.fields[name]; }
        });
        attemptText.dispatchEvent(new Event("input", { bubbles: true }));  // the marks follow, as after typing
        attemptText.focus();
      });
    }
  }

  var dataEl = document.getElementById("letter-data");
  if (!dataEl) { return; }
  var data = JSON.parse(dataEl.textContent);
  var view = document.getElementById("letter-view");
  var area = document.getElementById("text");
  var status = document.getElementById("edit-status");
  var current = area ? area.value : data.text;
  var findings = places(data.text).findings(data.findings.filter(function (f) { return f.start !== null && f.end !== null; })
    .map(function (f) { return { n: f.n, start: f.start, end: f.end, severity: f.severity, kind: f.kind, alive: true }; }));
  var RANK = { error: 0, warning: 1, suggestion: 2 };
  // where the attempt gives its decision, followed through the edits made here (api/static/insert.js)
  var units = places(data.text).units;
  var decision = data.decision_place ? data.decision_place.map(units) : null;
  // ... and the sentences an early paragraph must not come between, followed the same way
  var together = (data.read_together || []).map(function (r) { return r.map(units); });

  // the one-click change made last, for its "Undo this change" button (as on the letter page)
  var lastChange = null;

  function card(n) { return document.getElementById("f-" + n); }

  function say(n, message) {
    var c = card(n);
    if (!c) { return; }
    var done = c.querySelector(".finding-done");
    done.textContent = message;
    done.hidden = false;
    c.classList.add("resolved");
    c.querySelectorAll("button.apply, button.insert").forEach(function (b) { b.disabled = true; });
  }

  function render() {
    var alive = findings.filter(function (f) { return f.alive; });
    var cuts = [0, current.length];
    alive.forEach(function (f) { cuts.push(f.start, f.end); });
    cuts = cuts.filter(function (v, i, a) { return a.indexOf(v) === i; }).sort(function (a, b) { return a - b; });
    var seen = {};
    view.textContent = "";
    for (var i = 0; i < cuts.length - 1; i++) {
      var s = cuts[i], e = cuts[i + 1];
      if (e <= s) { continue; }
      var piece = current.slice(s, e);
      var cover = alive.filter(function (f) { return f.start <= s && f.end >= e; });
      if (!cover.length) { view.appendChild(document.createTextNode(piece)); continue; }
      var worst = cover.reduce(function (a, f) { return RANK[f.severity] < RANK[a] ? f.severity : a; }, "suggestion");
      var mark = document.createElement("mark");
      mark.className = "sev-" + worst;
      mark.setAttribute("data-findings", cover.map(function (f) { return f.n; }).join(" "));
      cover.forEach(function (f) {
        if (f.start === s && !seen[f.n]) {
          seen[f.n] = true;
          var anchor = document.createElement("span");
          anchor.id = "m-" + f.n;
          anchor.className = "anchor";
          mark.appendChild(anchor);
        }
      });
      mark.appendChild(document.createTextNode(piece));
      view.appendChild(mark);
    }
  }

  /* Moves highlights after an edit; a word-level finding whose words changed is dropped. */
  function follow(oldText, newText, except) {
    var p = 0, max = Math.min(oldText.length, newText.length);
    while (p < max && oldText.charAt(p) === newText.charAt(p)) { p++; }
    var so = oldText.length, sn = newText.length;
    while (so > p && sn > p && oldText.charAt(so - 1) === newText.charAt(sn - 1)) { so--; sn--; }
    var delta = sn - so;
    decision = window.VclInsert.follow(decision, p, so, sn);
    together = together.map(function (r) { return window.VclInsert.follow(r, p, so, sn); });
    if (lastChange && lastChange.n !== except) {  // the changed words move with the edit, or are edited and cannot be undone here
      var a = lastChange.start, b = a + lastChange.after.length;
      if (b > p) {
        if (a >= so) { lastChange.start += delta; } else { lastChange.broken = true; }
      }
    }
    findings.forEach(function (f) {
      if (!f.alive || f.n === except) { return; }
      if (f.end <= p) { return; }
      if (f.start >= so) { f.start += delta; f.end += delta; return; }
      if (f.start <= p && f.end >= so && f.kind !== "replace") { f.end += delta; return; }
      f.alive = false;
      say(f.n, "You changed these words. Save to check them again.");
    });
  }

  function replaceRange(s, e, text, except) {
    var next = current.slice(0, s) + text + current.slice(e), old = current;
    follow(current, next, except);
    current = next;
    // made as typing is, so that the browser's Undo takes it back (api/static/insert.js)
    if (area && (area.value !== old || !window.VclInsert.typeInto(area, old, next))) { area.value = next; }
    render();
  }

  function find(n) {
    for (var i = 0; i < findings.length; i++) { if (findings[i].n === n) { return findings[i]; } }
    return null;
  }

  /* Keeps the change just made from card `n` (one at a time: the change before it is left to
     the browser's Undo), and puts "Undo this change" under what the card says was done. */
  /* Every finding's place and every card's state, before a one-click change: an undo that
     leaves the letter as it was then puts them all back (a change over another finding's words
     had set that one aside too). */
  function snapshot() {
    return {
      text: current,
      findings: findings.map(function (f) { return { f: f, alive: f.alive, start: f.start, end: f.end }; }),
      cards: Array.prototype.map.call(document.querySelectorAll(".findings li.finding"), function (c) {
        var note = c.querySelector(".finding-done");
        return { c: c, resolved: c.classList.contains("resolved"), said: note ? note.textContent : "",
                 hidden: note ? note.hidden : true,
                 off: Array.prototype.map.call(c.querySelectorAll("button.apply, button.insert"), function (b) { return b.disabled; }) };
      })
    };
  }

  function restore(snap) {
    snap.findings.forEach(function (k) { k.f.alive = k.alive; k.f.start = k.start; k.f.end = k.end; });
    snap.cards.forEach(function (k) {
      k.c.classList.toggle("resolved", k.resolved);
      var note = k.c.querySelector(".finding-done");
      if (note) { note.textContent = k.said; note.hidden = k.hidden; }
      k.c.querySelectorAll("button.apply, button.insert").forEach(function (b, i) { b.disabled = k.off[i]; });
    });
  }

  function remember(n, start, before, after, kind, snap) {
    if (lastChange) {
      var was = card(lastChange.n), old = was && was.querySelector("button.undo-change");
      if (old) { old.remove(); }
    }
    lastChange = null;
    var c = card(n);
    if (!c) { return; }
    lastChange = { n: n, start: start, before: before, after: after, kind: kind, snap: snap,
                   prior: current.slice(0, start) + before + current.slice(start + after.length) };
    var note = c.querySelector(".finding-done");
    var undo = document.createElement("button");
    undo.type = "button";
    undo.className = "button button-small button-secondary undo-change";
    undo.textContent = "Undo this change";
    note.parentNode.insertBefore(undo, note.nextSibling);
  }

  /* The card as it was before its change: its finding marked again (a word change's own
     words back in place) and its buttons on. */
  function reopen(ch, message) {
    var c = card(ch.n);
    if (!c) { return; }
    if (ch.snap && current === ch.snap.text) {  // nothing else changed since: all as it was
      restore(ch.snap);
      var said = c.querySelector(".finding-done");
      said.textContent = message;
      said.hidden = false;
      render();
      return;
    }
    var f = find(ch.n);
    if (f && ch.kind === "apply") { f.alive = true; f.start = ch.start; f.end = ch.start + ch.before.length; }
    c.classList.remove("resolved");
    c.querySelectorAll("button.apply, button.insert").forEach(function (b) { b.disabled = false; });
    var note = c.querySelector(".finding-done");
    note.textContent = message;
    note.hidden = false;
    render();
  }

  function undoLast(button) {
    var ch = lastChange, c = button.closest("li");
    button.remove();
    if (!ch || card(ch.n) !== c) { return; }
    lastChange = null;
    var note = card(ch.n).querySelector(".finding-done");
    if (ch.broken || current.slice(ch.start, ch.start + ch.after.length) !== ch.after) {
      note.textContent = "These words have been changed since, so this cannot be undone here: change them back in the letter.";
      return;
    }
    replaceRange(ch.start, ch.start + ch.after.length, ch.before, ch.n);
    reopen(ch, "Undone: the letter is as it was before this change.");
    if (status) { status.textContent = "Undone."; }
  }

  function apply(button) {
    var n = Number(button.getAttribute("data-finding"));
    var f = find(n);
    if (!f || !f.alive) { return; }
    var value = button.getAttribute("data-value");
    var old = current.slice(f.start, f.end);
    var first = old.charAt(0);
    if (first && first === first.toUpperCase() && first !== first.toLowerCase()) {
      value = value.charAt(0).toUpperCase() + value.slice(1);
    }
    var snap = snapshot(), at = f.start;
    f.alive = false;
    replaceRange(f.start, f.end, value, n);
    say(n, "Changed to \u201c" + value + "\u201d. Save to check the letter again.");
    remember(n, at, old, value, "apply", snap);
    if (status) { status.textContent = "Changed \u201c" + old + "\u201d to \u201c" + value + "\u201d."; }
  }

  function insert(button) {
    var n = Number(button.getAttribute("data-finding"));
    var value = window.VclInsert.likeLetter(current, button.getAttribute("data-value"));
    var where = button.getAttribute("data-where");
    var placed = window.VclInsert.place(current, value, where,  // api/static/insert.js, as on the letter page
                                        window.VclInsert.withDecision(data, decision, current, together));
    var snap = snapshot();
    replaceRange(placed.pos, placed.pos, placed.text, n);
    say(n, where === "greeting" ? "Greeting inserted" + placed.said + ". Save to check the letter again." :
      (where === "top" ? "Heading inserted" : "Paragraph inserted") + placed.said + ". Change it to fit this case, then save.");
    remember(n, placed.pos, "", placed.text, "insert", snap);
    if (area) {
      var start = placed.pos + placed.text.indexOf(value);
      area.focus();
      area.setSelectionRange(start, start + value.length);
    }
  }

  document.querySelectorAll(".findings .actions").forEach(function (el) { el.hidden = false; });
  document.addEventListener("click", function (event) {
    var undo = event.target.closest("button.undo-change");
    if (undo) { undoLast(undo); return; }
    var b = event.target.closest("button.apply, button.insert");
    if (!b || b.disabled) { return; }
    if (b.classList.contains("apply")) { apply(b); } else { insert(b); }
  });
  if (area) {
    area.addEventListener("input", function () {
      if (window.VclInsert.applying(area)) { return; }  // the page's own change (replaceRange follows it)
      if (lastChange && area.value === lastChange.prior) {  // the browser's Undo took it back
        var ch = lastChange, u = card(ch.n) && card(ch.n).querySelector("button.undo-change");
        if (u) { u.remove(); }
        lastChange = null;
        follow(current, area.value, ch.n);
        current = area.value;
        reopen(ch, "Undone: the letter is as it was before this change.");
        if (status) { status.textContent = "Undone."; }
        return;
      }
      follow(current, area.value, null);
      current = area.value;
      render();
      if (status) { status.textContent = "You have changed the letter. Save it to check it again."; }
    });
  }
  render();
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
    // (counted as the server counts characters: an emoji before the words is one, not two)
    var head = before.toString() + raw.slice(0, raw.length - raw.replace(/^\s+/, "").length);
    if (start) { start.value = String(window.vclQaPlaces(head).chars(head.length)); }
    var legend = field.closest("fieldset").querySelector("legend").textContent;
    if (status) { status.textContent = legend + ": the words you selected are in \u201cWords from the letter\u201d. Add your comment below them."; }
  }

  document.addEventListener("selectionchange", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(take, 200);
  });
}());

/* Panel rating page: the answers (scores, comments, marked passages) are kept on this device as
   they are sent (window.vclQaUnsaved.lasting), so that a session that ended while a member was
   rating, or a form that had expired, does not lose them: the letter's page offers them back
   ("Put my answers back"), and the list of letters says which letter has answers waiting. The
   page that says the rating is saved, or that it can no longer change, forgets them. */
(function () {
  "use strict";

  var lasting = window.vclQaUnsaved && window.vclQaUnsaved.lasting;
  if (!lasting) { return; }
  var PREFIX = "vcl-qa-unsaved-rating-";
  var valid = function (k) { return k && typeof k.fields === "object"; };

  // the list of letters: a note beside each letter with answers kept here
  document.querySelectorAll(".queue-table a[data-item]").forEach(function (a) {
    if (!lasting.read(PREFIX + a.getAttribute("data-item"), valid)) { return; }
    var note = document.createElement("span");
    note.className = "hint unsaved-note";
    note.textContent = " (answers not saved yet)";
    a.parentNode.appendChild(note);
  });

  var match = /^\/panel\/([0-9a-f]{16})$/.exec(window.location.pathname);
  if (!match) { return; }
  var key = PREFIX + match[1];
  var form = document.getElementById("rating-form");
  if (!form || document.getElementById("rating-saved") || form.hasAttribute("data-sent-back")) {
    lasting.forget(key);  // saved, no longer open to change, or sent back with the answers in it
  }
  if (!form) { return; }

  form.addEventListener("submit", function () {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrf_token" || el.type === "submit" || el.type === "button") { return; }
      if (el.type === "radio" && !el.checked) { return; }
      fields[el.name] = el.value;
    });
    lasting.write(key, { fields: fields });
  });

  var kept = lasting.read(key, valid);
  var box = document.getElementById("rating-kept");
  if (!kept || !box) { return; }
  window.vclQaUnsaved.offer(box, key, kept, function () {
    var first = null;
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !Object.prototype.hasOwnProperty.call(kept.fields, el.name)) { return; }
      if (el.type === "radio") {
        el.checked = el.value === kept.fields[el.name];
        if (el.checked && !first) { first = el; }
      } else if (el.type !== "submit" && el.type !== "button") {
        el.value = kept.fields[el.name];
      }
    });
    (first || form.querySelector("input, textarea")).focus();
  }, lasting);
}());
