// gkxl desk: drag and drop uploads in small batches, with progress. Everything shown is set as text.
(function () {
  "use strict";
  var form = document.getElementById("upload");
  if (!form) return;
  var input = document.getElementById("files");
  var drop = document.getElementById("drop");
  var table = document.getElementById("results");
  var bar = document.getElementById("bar");
  var status = document.getElementById("progress-text");
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var requestLimit = Number(form.dataset.requestLimit);
  var BATCH_FILES = 20, BATCH_BYTES = Math.min(16 * 1048576, requestLimit);

  function say(text) { status.textContent = text; }
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, k) { return k in values ? values[k] : m; });
  }
  function cell(row, text, cls) {
    var td = document.createElement("td");
    if (cls) td.className = cls;
    if (text instanceof Node) td.appendChild(text); else td.textContent = text == null ? "" : String(text);
    row.appendChild(td);
    return td;
  }
  function link(href, text) {
    var a = document.createElement("a");
    a.href = href; a.textContent = text;
    return a;
  }
  function addRow(r) {
    var tr = document.createElement("tr");
    tr.className = "res-" + r.result;
    cell(tr, r.name);
    cell(tr, table.dataset["result" + r.result.charAt(0).toUpperCase() + r.result.slice(1)] || r.result);
    if (r.unit_id) cell(tr, link("/unit/" + r.unit_id, r.unit_name));
    else if (r.result === "stored") cell(tr, link("#unmatched", table.dataset.pick));
    else cell(tr, "");
    if (r.status) {
      var badge = document.createElement("span");
      badge.className = "badge st-" + r.status;
      badge.textContent = table.dataset["state" + r.status.charAt(0).toUpperCase() + r.status.slice(1)] || r.status;
      cell(tr, badge);
    } else cell(tr, "");
    var counted = r.status === "ok" || r.status === "invalid";
    cell(tr, counted ? r.errors : "", "num");
    cell(tr, counted ? r.warnings : "", "num");
    cell(tr, r.message);
    table.tBodies[0].appendChild(tr);
  }
  function batches(files) {
    var out = [], current = [], bytes = 0;
    files.forEach(function (f) {
      if (current.length && (current.length >= BATCH_FILES || bytes + f.size > BATCH_BYTES)) {
        out.push(current); current = []; bytes = 0;
      }
      current.push(f); bytes += f.size;
    });
    if (current.length) out.push(current);
    return out;
  }
  function send(batch) {
    return new Promise(function (resolve) {
      var data = new FormData();
      batch.forEach(function (f) { data.append("files", f, f.name); });
      var xhr = new XMLHttpRequest();
      xhr.open("POST", "/receive");
      xhr.setRequestHeader("X-CSRF-Token", csrf);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.onload = function () {
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
        if (xhr.status === 200 && body && body.results) resolve(body.results);
        else resolve(batch.map(function (f) {
          return { name: f.name, result: "refused", message: (body && body.error) || ("HTTP " + xhr.status) };
        }));
      };
      xhr.onerror = function () {
        resolve(batch.map(function (f) { return { name: f.name, result: "refused", message: status.dataset.failed }; }));
      };
      xhr.send(data);
    });
  }
  function refreshUnmatched() {
    return fetch("/receive", { headers: { "Accept": "text/html" }, credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("unmatched");
        var old = document.getElementById("unmatched");
        if (fresh && old) old.replaceWith(document.importNode(fresh, true));
      });
  }
  function upload(fileList) {
    var files = Array.prototype.slice.call(fileList);
    if (!files.length) return;
    var groups = batches(files), done = 0, handled = 0;   // handled: a zip's returns each count
    document.getElementById("progress").hidden = false;
    table.hidden = false;
    bar.max = files.length; bar.value = 0;
    say(fill(status.dataset.busy, { done: 0, total: files.length }));
    form.classList.add("busy");
    var chain = Promise.resolve();
    groups.forEach(function (group) {
      chain = chain.then(function () { return send(group); }).then(function (results) {
        results.forEach(addRow);
        handled += results.length;
        done += group.length;
        bar.value = done;
        say(fill(status.dataset.busy, { done: done, total: files.length }));
      });
    });
    chain.then(refreshUnmatched).then(function () {
      form.classList.remove("busy");
      say(fill(status.dataset.done, { total: handled }));
      document.body.dataset.uploaded = String(Number(document.body.dataset.uploaded || 0) + files.length);
      input.value = "";
    });
  }
  input.addEventListener("change", function () { upload(input.files); });
  ["dragenter", "dragover"].forEach(function (name) {
    drop.addEventListener(name, function (e) { e.preventDefault(); drop.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    drop.addEventListener(name, function (e) { e.preventDefault(); drop.classList.remove("over"); });
  });
  drop.addEventListener("drop", function (e) { upload(e.dataTransfer.files); });
  form.addEventListener("submit", function (e) { e.preventDefault(); upload(input.files); });
})();

// 退回通知: the copy button selects the notice and copies it (the clerk pastes it into mail or chat)
(function () {
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var source = document.getElementById(button.dataset.copy);
      source.focus();
      source.select();
      var done = function () { button.textContent = button.dataset.copied; };
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(source.value).then(done, function () {
        document.execCommand("copy"); done();
      });
      else { document.execCommand("copy"); done(); }
    });
  });
})();
