/* docgen staff page: a form generated from each document type's JSON Schema, preview and download,
   batches from an XLSX roster, verification. Plain browser JavaScript, no build step, no outside files. */
"use strict";

const MESSAGES = JSON.parse(document.getElementById("messages").textContent);
const $ = (id) => document.getElementById(id);

/* ---------- small helpers ---------- */

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) if (child) node.append(child);
  return node;
}

/* The API's message templates are Python str.format strings: {name} is a value, {{ and }} are braces. */
function message(kind, values) {
  const template = MESSAGES[kind] || "{title}有误";
  return template.replace(/\{\{|\}\}|\{(\w+)\}/g, (m, name) =>
    m === "{{" ? "{" : m === "}}" ? "}" : String(values[name] ?? ""));
}

function pointerParts(pointer) {
  return pointer.split("/").slice(1).map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function pointerOf(parts) {
  return parts.map((p) => "/" + String(p).replace(/~/g, "~0").replace(/\//g, "~1")).join("");
}

function getAt(obj, parts) {
  return parts.reduce((o, k) => (o === null || o === undefined ? undefined : o[k]), obj);
}

function setAt(obj, parts, value) {
  let o = obj;
  parts.slice(0, -1).forEach((k, i) => {
    if (o[k] === null || typeof o[k] !== "object") o[k] = typeof parts[i + 1] === "number" ? [] : {};
    o = o[k];
  });
  o[parts[parts.length - 1]] = value;
}

function idFor(pointer) {
  return "f" + pointer.replace(/[^A-Za-z0-9]/g, (c) => "_" + c.charCodeAt(0).toString(16));
}

/* Content-Disposition: attachment; filename="x.pdf"; filename*=UTF-8''%E5%BC%A0… (RFC 6266) */
function filenameOf(response, fallback) {
  const header = response.headers.get("Content-Disposition") || "";
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (star) return decodeURIComponent(star[1]);
  const plain = /filename="?([^";]+)"?/i.exec(header);
  return plain ? plain[1] : fallback;
}

function warningsOf(response) {
  const header = response.headers.get("X-Docgen-Warnings");
  if (!header) return [];
  try { return JSON.parse(decodeURIComponent(header)); } catch (e) { return [header]; }
}

async function problemOf(response) {
  try { return await response.json(); } catch (e) {
    return { title: "服务暂时无法处理", detail: `服务器返回 ${response.status}，请稍后再试或联系管理员` };
  }
}

function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = el("a", { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

/* The unit's API key, when the deployment requires one (401): kept for this tab only, sent as a Bearer token. */
const KEY = "docgen-api-key";

async function api(url, options = {}) {
  const headers = new Headers(options.headers || {});
  const key = sessionStorage.getItem(KEY);
  if (key) headers.set("Authorization", `Bearer ${key}`);
  const response = await fetch(url, { ...options, headers });
  if (response.status === 401) askForKey(await problemOf(response.clone()));
  return response;
}

function askForKey(problem) {
  const box = $("key-box");
  box.hidden = false;
  $("key-err").textContent = `错误：${problem.detail || problem.title}`;
  $("key-err").hidden = false;
  $("api-key").setAttribute("aria-invalid", "true");
  $("api-key").focus();
}

function keyStatus() {
  const key = sessionStorage.getItem(KEY);
  $("key-state").textContent = key ? "已填写本单位 API 密钥（仅保存在本标签页）" : "";
  $("key-forget").hidden = !key;
}

async function downloadFrom(url, fallback) {
  const response = await api(url);
  if (!response.ok) {
    const problem = await problemOf(response);
    throw new Error(problem.detail || problem.title);
  }
  const name = filenameOf(response, fallback);
  saveBlob(await response.blob(), name);
  return name;
}

function say(text, kind) {
  const status = $("status");
  status.textContent = text;
  status.className = "status" + (kind ? " status-" + kind : "");
}

/* ---------- schema ---------- */

/* Resolve $ref and the Optional[...] form anyOf [X, null]; keep the outer title and description. */
function resolve(schema, root) {
  let s = schema;
  let nullable = false;
  if (s.$ref) s = { ...root.$defs[s.$ref.split("/").pop()], ...without(s, "$ref") };
  if (s.anyOf) {
    const others = s.anyOf.filter((b) => b.type !== "null");
    nullable = others.length < s.anyOf.length;
    if (others.length === 1) s = { ...resolve(others[0], root).schema, ...without(s, "anyOf") };
  }
  return { schema: s, nullable };
}

function without(obj, key) {
  const copy = { ...obj };
  delete copy[key];
  return copy;
}

function widgetOf(s) {
  if (s.type === "object") return "object";
  if (s.type === "array") return "array";
  if (s.type === "boolean") return "boolean";
  if (s.type === "integer" || s.type === "number") return "number";
  if (s.contentEncoding === "base64") return "photo";
  if (s.enum || s["x-choices"]) return "select";
  if (s.format === "date") return /YYYY-MM(?!-DD)/.test(s.description || "") ? "month" : "date";
  if ((s.maxLength || 0) >= 100) return "textarea";   // a sentence or more: room to read it back
  return "text";
}

/* ---------- the form ---------- */

const form = {
  slug: null, schema: null, state: {}, errors: {}, dirty: new Set(), controls: new Map(), options: [],
};

function hintText(s) {
  const parts = [];
  if (s.description && !(s.enum || s["x-choices"]) && s.description !== s.title) parts.push(s.description);
  if (s.maxLength && widgetOf(s) !== "select" && !new RegExp(`${s.maxLength}个?字`).test(parts.join(""))) {
    parts.push(`最多${s.maxLength}个字`);
  }
  if (s.maxItems && s.type === "array") parts.push(`最多${s.maxItems}项`);
  return parts.join("；");
}

function renderForm(focusPointer) {
  form.controls.clear();
  const fields = $("fields");
  fields.replaceChildren(el("div", { class: "grid" }, renderProperties(form.schema, [], form.schema)));
  showAllErrors();
  if (focusPointer !== undefined) {
    const target = $("fill").querySelector(`[data-pointer="${CSS.escape(focusPointer)}"]`);
    if (target) target.focus();
  }
}

function renderProperties(schema, parts, root) {
  const required = new Set(schema.required || []);
  return Object.entries(schema.properties || {})
    .filter(([key]) => !(parts.length === 0 && key === "profile"))  // chosen at the top of the page
    .map(([key, sub]) => renderNode(sub, [...parts, key], root, required.has(key)));
}

function renderNode(raw, parts, root, required) {
  const { schema: s } = resolve(raw, root);
  const kind = widgetOf(s);
  if (kind === "object") return renderObject(s, parts, root, required);
  if (kind === "array") return renderArray(s, parts, root, required);
  return renderField(s, parts, required, kind);
}

function legendOf(title, required) {
  return el("legend", {}, title, required ? el("span", { class: "req", "aria-hidden": "true", text: " *" }) : null);
}

function errorSlot(pointer) {
  return el("p", { class: "error", id: idFor(pointer) + "-err", hidden: true });
}

function renderObject(s, parts, root, required, legend) {
  const pointer = pointerOf(parts);
  // no hint: an object's description is its model's docstring, written for developers
  const box = el("fieldset", { class: "group", id: idFor(pointer), "data-pointer": pointer, tabindex: "-1",
    "aria-describedby": idFor(pointer) + "-err" },
  legendOf(legend || s.title || parts[parts.length - 1], required && !legend),
  errorSlot(pointer),
  el("div", { class: "grid" }, renderProperties(s, parts, root)));
  return box;
}

function renderArray(s, parts, root, required) {
  const pointer = pointerOf(parts);
  let items = getAt(form.state, parts);
  if (!Array.isArray(items)) {
    items = Array.from({ length: s.minItems || 0 }, () => emptyOf(s.items, root));
    setAt(form.state, parts, items);
  }
  const itemSchema = resolve(s.items, root).schema;
  const title = s.title || parts[parts.length - 1];
  const list = el("div", { class: "items" });
  items.forEach((_, i) => {
    const itemParts = [...parts, i];
    const label = `${title}第${i + 1}项`;
    // the name starts with the words on the button (WCAG 2.5.3), the hidden rest says which item
    const remove = el("button", { type: "button", class: "link remove", onclick: () => removeItem(parts, i) },
      "删除此项", el("span", { class: "visually-hidden", text: `：${label}` }));
    if (widgetOf(itemSchema) === "object") {
      const box = renderObject(itemSchema, itemParts, root, false, `第${i + 1}项`);
      box.classList.add("item");
      box.setAttribute("aria-label", label);
      box.querySelector("legend").after(remove);
      list.append(box);
    } else {
      const field = renderField({ ...itemSchema, title: label }, itemParts, false, widgetOf(itemSchema));
      field.classList.add("item");
      field.append(remove);
      list.append(field);
    }
  });
  const full = s.maxItems && items.length >= s.maxItems;
  const add = el("button", { type: "button", class: "secondary add", "data-add": pointer, disabled: full,
    text: `添加${title}`, onclick: () => addItem(parts, s, root) });
  const hint = hintText(s);
  return el("fieldset", { class: "group array", id: idFor(pointer), "data-pointer": pointer, tabindex: "-1",
    "aria-describedby": idFor(pointer) + "-err" },
  legendOf(title, required), hint ? el("p", { class: "hint", text: hint }) : null, errorSlot(pointer),
  list, el("div", { class: "buttons" }, add));
}

function emptyOf(raw, root) {
  const { schema: s } = resolve(raw, root);
  return s.type === "object" ? {} : s.type === "array" ? [] : "";
}

function addItem(parts, s, root) {
  const items = getAt(form.state, parts);
  items.push(emptyOf(s.items, root));
  stale();
  renderForm();
  const prefix = CSS.escape(pointerOf([...parts, items.length - 1]));
  const first = $("fill").querySelector(["input", "select", "textarea"].map((t) => `${t}[data-pointer^="${prefix}"]`).join(","));
  if (first) first.focus();
}

function removeItem(parts, index) {
  getAt(form.state, parts).splice(index, 1);
  // errors of this list refer to old positions: the next submit reports afresh
  const prefix = pointerOf(parts) + "/";
  for (const key of Object.keys(form.errors)) if (key.startsWith(prefix)) delete form.errors[key];
  stale();
  renderForm();
  const add = document.querySelector(`[data-add="${CSS.escape(pointerOf(parts))}"]`);
  if (add) add.focus();
  say("已删除一项");
}

function renderField(s, parts, required, kind) {
  const pointer = pointerOf(parts);
  const id = idFor(pointer);
  const value = getAt(form.state, parts);
  const hint = hintText(s);
  const describedBy = [hint ? id + "-hint" : null, id + "-err"].filter(Boolean).join(" ");
  const common = { id, "data-pointer": pointer, "aria-describedby": describedBy,
    "aria-required": required ? "true" : null };
  let control;
  if (kind === "select") {
    const choices = [...(s["x-choices"] || s.enum)];   // the standard names, not every spelling the enum accepts
    if (value && !choices.includes(value)) choices.push(value);  // a short form the API accepts, e.g. 维吾尔
    control = el("select", common, el("option", { value: "", text: "请选择" }),
      choices.map((c) => el("option", { value: c, text: c, selected: c === value })));
  } else if (kind === "boolean") {
    control = el("select", common, el("option", { value: "", text: "未填" }),
      el("option", { value: "true", text: "是", selected: value === true }),
      el("option", { value: "false", text: "否", selected: value === false }));
  } else if (kind === "textarea") {
    control = el("textarea", { ...common, rows: s.maxLength > 200 ? 5 : 3 });
    control.value = value ?? "";
  } else if (kind === "photo") {
    return renderPhoto(s, parts, required, common);
  } else {
    const type = { date: "date", month: "month", number: "number" }[kind] || "text";
    control = el("input", { ...common, type, min: s.minimum, max: s.maximum,
      inputmode: kind === "number" ? "numeric" : null, autocomplete: "off",
      placeholder: kind === "month" ? "YYYY-MM" : null });
    control.value = value === undefined || value === null ? "" : kind === "month" ? String(value).slice(0, 7) : value;
  }
  control.addEventListener("input", () => onInput(control, s, parts, kind));
  control.addEventListener("change", () => onInput(control, s, parts, kind, true));
  form.controls.set(pointer, { schema: s, required, kind });
  const counter = s.maxLength && (kind === "text" || kind === "textarea")
    ? el("span", { class: "counter", id: id + "-count", "aria-hidden": "true" }) : null;
  const wrap = el("div", { class: "field" + (kind === "textarea" ? " wide" : "") },
    el("label", { for: id }, s.title || parts[parts.length - 1],
      required ? el("span", { class: "req", "aria-hidden": "true", text: " *" }) : null),
    hint ? el("p", { class: "hint", id: id + "-hint", text: hint }) : null,
    errorSlot(pointer), control, counter);
  if (counter) updateCounter(control, s, counter);   // not in the page yet: the counter is passed
  return wrap;
}

function updateCounter(control, s, counter = $(control.id + "-count")) {
  if (!counter) return;
  const length = [...control.value].length;
  counter.textContent = length || control.tagName === "TEXTAREA" ? `${length}/${s.maxLength}` : "";
  counter.classList.toggle("over", length > s.maxLength);
}

function valueOf(control, kind) {
  const raw = control.value;
  if (raw === "") return "";
  if (kind === "boolean") return raw === "true";
  if (kind === "number") return /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
  return raw;
}

function onInput(control, s, parts, kind, committed) {
  const pointer = pointerOf(parts);
  // a control of a form already replaced (its change event comes late) writes nowhere
  if (!control.isConnected || (form.controls.get(pointer) || {}).schema !== s) return;
  setAt(form.state, parts, valueOf(control, kind));
  updateCounter(control, s);
  if (committed) form.dirty.add(pointer);
  // cheap checks while typing: an error shows as soon as a limit is crossed and goes once it is fixed;
  // "required" waits until the field was left, so that tabbing through does not shout
  const problem = checkField(control.value, s, form.controls.get(pointer).required, form.dirty.has(pointer));
  if (problem || form.errors[pointer]) setError(pointer, problem);
  if (IDENTITY.includes(parts[parts.length - 1])) checkIdentity(parts, committed);
  stale();
}

/* ---------- the ID number (GB 11643): what a valid one says is filled in, every problem is said at once ---------- */

const IDENTITY = ["id_number", "gender", "birth_date"];
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

const compactId = (raw) => raw.normalize("NFKC").replace(/[\s-]/g, "").toUpperCase();
const cnDate = (iso) => iso.replace(/^(\d+)-0?(\d+)-0?(\d+)$/, "$1年$2月$3日");

/* Return what an ID number encodes ({birth, gender}) and all its problems, in the words of docgen.rules.ids
   (the server stays the authority: it also checks the 6-digit region code). */
function readId(raw) {
  const number = compactId(raw);
  if (/^\d{15}$/.test(number)) return { problems: ["身份证号码应为18位，当前为15位（15位旧号码已停止使用，请填写18位号码）"] };
  if (number.length !== 18) return { problems: [`身份证号码应为18位，当前为${number.length}位`] };
  const bad = [...number].findIndex((ch, i) => !(i === 17 ? /[\dX]/ : /\d/).test(ch));
  if (bad >= 0) return { problems: [`身份证号码只能由数字组成，最后一位可以是X；第${bad + 1}位“${number[bad]}”不符合要求`] };
  const problems = [];
  const [y, m, d] = [number.slice(6, 10), number.slice(10, 12), number.slice(12, 14)].map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  const birth = date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d
    ? `${number.slice(6, 10)}-${number.slice(10, 12)}-${number.slice(12, 14)}` : null;
  if (!birth) problems.push(`身份证号码中的出生日期${number.slice(6, 14)}无效`);
  const check = "10X98765432"[ID_WEIGHTS.reduce((n, w, i) => n + w * Number(number[i]), 0) % 11];
  if (number[17] !== check) problems.push(`身份证号码校验位错误，应为${check}，请核对号码`);
  return { problems, birth, gender: Number(number[16]) % 2 ? "男" : "女" };
}

/* Set a field of the form from what the ID number says (gender, birth date), on screen too. */
function fillFromId(parts, value) {
  setAt(form.state, parts, value);
  const control = $("fields").querySelector(`[data-pointer="${CSS.escape(pointerOf(parts))}"]`);
  if (control) control.value = value;
}

/* After the ID number, gender or birth date changed: a valid number fills gender and birth date; each
   problem shows at once beside its field (the number's own, and a gender or birth date it contradicts). */
function checkIdentity(parts, committed) {
  const base = parts.slice(0, -1);            // /applicant, or /applicants/3 in the roster
  const at = (key) => pointerOf([...base, key]);
  const raw = String(getAt(form.state, [...base, "id_number"]) || "");
  const id = raw ? readId(raw) : { problems: [] };
  if (!committed && id.problems.length && compactId(raw).length < 18) return;   // still typing
  if (parts[parts.length - 1] === "id_number" && id.birth && !id.problems.length) {
    fillFromId([...base, "gender"], id.gender);
    fillFromId([...base, "birth_date"], id.birth);
    say(`已按身份证号码填入性别“${id.gender}”和出生日期${cnDate(id.birth)}，请核对`);
  }
  const gender = getAt(form.state, [...base, "gender"]);
  const birth = getAt(form.state, [...base, "birth_date"]);
  setError(at("id_number"), id.problems.length ? id.problems : null);
  setError(at("gender"), gender && id.gender && gender !== id.gender
    ? `性别“${gender}”与身份证号码不符（号码第17位表示${id.gender}），请核对性别或号码` : null);
  setError(at("birth_date"), birth && id.birth && birth !== id.birth
    ? `出生日期与身份证号码不符（号码中为${cnDate(id.birth)}），请核对` : null);
}

function checkField(raw, s, required, left) {
  const title = s.title;
  if (raw === "") return required && left ? message("missing", { title }) : null;
  if (s.maxLength && [...raw].length > s.maxLength) {
    return message("string_too_long", { title, max_length: s.maxLength, length: [...raw].length });
  }
  if (s.pattern && left && !new RegExp(s.pattern).test(raw)) return message("string_pattern_mismatch", { title });
  if (s.type === "integer" && left) {
    if (!/^-?\d+$/.test(raw.trim())) return message("int_parsing", { title });
    if (s.minimum !== undefined && Number(raw) < s.minimum) return message("greater_than_equal", { title, ge: s.minimum });
    if (s.maximum !== undefined && Number(raw) > s.maximum) return message("less_than_equal", { title, le: s.maximum });
  }
  return null;
}

/* ---------- the photo (评审表): checked here before it is sent ---------- */

function renderPhoto(s, parts, required, common) {
  const pointer = pointerOf(parts);
  const id = common.id;
  const accept = s["x-accept"] || ["image/jpeg", "image/png"];
  const input = el("input", { ...common, type: "file", accept: accept.join(",") });
  const value = getAt(form.state, parts);
  const img = el("img", { class: "photo", alt: "已选照片", hidden: !value });
  if (value) img.src = value.startsWith("data:") ? value : `data:image/${value.startsWith("iVBOR") ? "png" : "jpeg"};base64,${value}`;
  const remove = el("button", { type: "button", class: "link", hidden: !value, text: "移除照片",
    onclick: () => { setAt(form.state, parts, ""); stale(); renderForm(pointer); } });
  input.addEventListener("change", () => readPhoto(input, s, parts, accept));
  form.controls.set(pointer, { schema: s, required, kind: "photo" });
  return el("div", { class: "field" },
    el("label", { for: id }, s.title, required ? el("span", { class: "req", "aria-hidden": "true", text: " *" }) : null),
    el("p", { class: "hint", id: id + "-hint", text: `${accept.map((t) => t.split("/")[1].toUpperCase()).join(" 或 ")}，`
      + `不超过${Math.round((s["x-max-bytes"] || 0) / 1048576)}MB；不上传则留框贴照片` }),
    errorSlot(pointer), input, el("div", { class: "photo-row" }, img, remove));
}

async function readPhoto(input, s, parts, accept) {
  const pointer = pointerOf(parts);
  const file = input.files[0];
  if (!file) return;
  const head = new Uint8Array(await file.slice(0, 8).arrayBuffer());
  const isJpeg = head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff;
  const isPng = [0x89, 0x50, 0x4e, 0x47].every((b, i) => head[i] === b);
  const limit = s["x-max-bytes"];
  let problem = null;
  if (!(isJpeg && accept.includes("image/jpeg")) && !(isPng && accept.includes("image/png"))) {
    problem = message("photo_format", { title: s.title });
  } else if (limit && file.size > limit) {
    problem = message("photo_too_large", { title: s.title, max_mb: Math.round(limit / 1048576), size: Math.floor(file.size / 1024) });
  }
  if (problem) {
    input.value = "";
    setError(pointer, problem);
    return;
  }
  const dataUrl = await new Promise((ok, fail) => {
    const reader = new FileReader();
    reader.onload = () => ok(reader.result);
    reader.onerror = () => fail(reader.error);
    reader.readAsDataURL(file);
  });
  setAt(form.state, parts, dataUrl);
  delete form.errors[pointer];
  stale();
  renderForm(pointer);
  say(`已选照片：${file.name}`);
}

/* ---------- errors: on the field, in a summary, announced ---------- */

/* The element an API pointer lands on: the field itself, else the nearest enclosing group. */
function targetOf(pointer) {
  let parts = pointerParts(pointer);
  for (;;) {
    const p = pointerOf(parts);
    const node = $("fill").querySelector(`[data-pointer="${CSS.escape(p)}"]`);
    if (node) return { pointer: p, node };
    if (!parts.length) return null;
    parts = parts.slice(0, -1);
  }
}

function setError(pointer, text) {
  if (text) form.errors[pointer] = text; else delete form.errors[pointer];
  const node = $("fill").querySelector(`[data-pointer="${CSS.escape(pointer)}"]`);
  const slot = $(idFor(pointer) + "-err") || (pointer === "/profile" ? $("profile-err") : null);
  if (!node || !slot) return;
  const messages = [].concat(form.errors[pointer] || []);
  slot.hidden = !messages.length;
  slot.textContent = messages.length ? "错误：" + messages.join("；") : "";
  if (messages.length) node.setAttribute("aria-invalid", "true"); else node.removeAttribute("aria-invalid");
  node.closest(".field, .group")?.classList.toggle("has-error", messages.length > 0);
}

function showAllErrors() {
  for (const pointer of Object.keys(form.errors)) setError(pointer, form.errors[pointer]);
}

function clearErrors() {
  const old = Object.keys(form.errors);
  form.errors = {};
  old.forEach((p) => setError(p, null));
  $("summary").hidden = true;
}

function showProblem(problem) {
  clearErrors();
  const list = $("summary-list");
  list.replaceChildren();
  const errors = problem.errors || [];
  for (const error of errors) {
    const target = targetOf(error.pointer || "");
    const key = target ? target.pointer : null;
    if (key) form.errors[key] = [].concat(form.errors[key] || [], error.detail);
    const id = key === "/profile" ? "profile" : key ? idFor(key) : null;
    list.append(el("li", {}, id ? el("a", { href: "#" + id, onclick: (e) => { e.preventDefault(); focusField(id); }, text: error.detail })
      : error.detail));
  }
  if (!errors.length) list.append(el("li", { text: problem.detail || problem.title }));
  showAllErrors();
  $("summary-h").textContent = errors.length ? `${problem.title}（共${errors.length}处）` : problem.title || "出错了";
  const summary = $("summary");
  summary.setAttribute("role", "alert");
  summary.hidden = false;
  summary.focus();
}

function focusField(id) {
  const node = $(id);
  if (!node) return;
  node.scrollIntoView({ block: "center" });
  node.focus();
}

/* ---------- the payload ---------- */

/* Drop what was left empty: the API prints 无 (or leaves a blank) for it; a required group stays, so that
   the API names each of its missing fields. */
function pruned(value, raw, root, required) {
  const { schema: s } = resolve(raw, root);
  if (Array.isArray(value)) {
    const items = value.map((v) => pruned(v, s.items, root, true)).filter((v) => v !== undefined);
    return items.length || required ? items : undefined;
  }
  if (value && typeof value === "object") {
    const req = new Set(s.required || []);
    const out = {};
    for (const [key, v] of Object.entries(value)) {
      const sub = (s.properties || {})[key];
      const kept = sub ? pruned(v, sub, root, req.has(key)) : v;
      if (kept !== undefined) out[key] = kept;
    }
    return Object.keys(out).length || required ? out : undefined;
  }
  return value === "" || value === null || value === undefined ? undefined : value;
}

function payload() {
  const body = pruned(form.state, form.schema, form.schema, true) || {};
  delete body.profile;
  return body;
}

function query(format) {
  const params = new URLSearchParams({ format, profile: $("profile").value });
  for (const option of form.options) {
    const control = $("opt-" + option.name);
    if (!control) continue;
    if (control.type === "checkbox") { if (control.checked) params.set(option.name, "true"); }
    else if (control.value !== "") params.set(option.name, control.value);
  }
  return params;
}

/* ---------- rendering: preview, download ---------- */

let preview = { url: null, name: null };

/* Mark the preview out of date and keep what was typed in the records. */
function stale() {
  if (!$("result").hidden) $("result-stale").hidden = false;
  absorb();
}

/* Render the form: a preview (marked 预览稿, issued to nobody, no number) or the document itself (issued: it
   gets its 文书编号 and QR code). Only the latter is recorded. */
async function render(format, isPreview = false) {
  const button = isPreview ? $("preview-pdf") : format === "pdf" ? $("make-pdf") : $("make-docx");
  button.disabled = true;
  say(isPreview ? "正在生成预览稿…" : format === "pdf" ? "正在生成正式文书 PDF…" : "正在生成正式文书 DOCX…");
  const params = query(format);
  if (isPreview) params.set("preview", "true");
  try {
    const response = await api(`/v1/documents/${form.slug}?${params}`, {
      method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(payload()),
    });
    if (!response.ok) {
      const problem = await problemOf(response);
      if (response.status !== 401) showProblem(problem);   // a 401: the key box asks, and keeps the focus
      say(`未能生成：${problem.detail || problem.title}`, "error");
      return;
    }
    clearErrors();
    const blob = await response.blob();
    const name = filenameOf(response, `${form.slug}.${format}`);
    showWarnings(warningsOf(response));
    const documentId = response.headers.get("X-Document-Id");
    if (format === "pdf") showPreview(blob, name, documentId);
    else saveBlob(blob, name);
    say(isPreview ? "已生成预览稿（未出具、无文书编号），核对无误后点击“生成正式文书”"
      : format === "pdf" ? `已出具，文书编号 ${documentId}，可在下方下载或打印` : `已下载：${name}`, "ok");
  } catch (e) {
    say("无法连接服务，请检查网络后重试", "error");
  } finally {
    button.disabled = false;
  }
}

function showPreview(blob, name, documentId) {
  if (preview.url) URL.revokeObjectURL(preview.url);
  preview = { url: URL.createObjectURL(blob), name };
  const frame = $("preview");
  frame.src = preview.url;
  frame.hidden = false;
  $("preview-empty").hidden = true;
  $("result").hidden = false;
  $("result-stale").hidden = true;
  $("result-name").textContent = name;
  $("download-pdf").href = preview.url;
  $("download-pdf").download = name;
  $("open-pdf").href = preview.url;
  // a preview is not a document: nothing to download as one, no number to verify
  $("download-pdf").hidden = $("open-pdf").hidden = $("result-id").hidden = !documentId;
  $("result-unissued").hidden = !!documentId;
  const id = $("result-id");
  id.textContent = documentId || "";
  id.onclick = (e) => { e.preventDefault(); showVerify(documentId, new File([blob], name)); };
  $("result").focus();     // where the keyboard and a screen reader continue: the file just made
}

/* Take the previous applicant's document off the screen: the preview shows only the person being typed. */
function clearPreview() {
  if (preview.url) URL.revokeObjectURL(preview.url);
  preview = { url: null, name: null };
  $("preview").removeAttribute("src");
  $("preview").hidden = true;
  $("result").hidden = true;
  $("preview-empty").hidden = false;
  showWarnings([]);
}

function showWarnings(warnings) {
  $("warnings").hidden = !warnings.length;
  $("warnings-list").replaceChildren(...warnings.map((w) => el("li", { text: w })));
}

async function downloadBlank(format) {
  say(`正在生成空白表 ${format.toUpperCase()}…`);
  const params = new URLSearchParams({ format, profile: $("profile").value });
  try {
    const name = await downloadFrom(`/v1/document-types/${form.slug}/blank?${params}`, `${form.slug}-blank.${format}`);
    say(`已下载：${name}`, "ok");
  } catch (e) {
    say(e instanceof TypeError ? "无法连接服务，请检查网络后重试" : `未能生成空白表：${e.message}`, "error");
  }
}

/* ---------- choosing a type and a profile ---------- */

let types = [];
let profiles = [];
let openapi = null;

async function fetchJson(url) {
  const response = await api(url, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

const schemas = {};

/* ---------- the unit and the applicant: two records, each typed once ---------- */

/* The unit's record ({unit, notice, competent, issuer, profile}) stays for every applicant; the applicant's
   record ({applicant, docs: {slug: the rest of that document}}) belongs to one person. A form is composed
   from both, and what is typed goes back to the record it belongs to: nothing else carries between people. */
let unitRecord = {};
let person = null;

const copy = (value) => JSON.parse(JSON.stringify(value ?? {}));   // no structuredClone in Chromium 86

/* Whether a top-level key of a document is the unit's: its name, office, 公示期, 主管单位, and the 纪检部门
   that certifies (integrity-certificate's issuer; recommendation's issuer is a per-document choice). */
function isUnitKey(key, raw, root) {
  if (["unit", "notice", "competent"].includes(key)) return true;
  return key === "issuer" && !resolve(raw, root).schema.enum;
}

function newPerson() {
  return { id: `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`, applicant: {}, docs: {} };
}

/* Keep of a record what a schema accepts (same keys, values of its types); lists stay with their document. */
function fitted(value, raw, root) {
  const { schema: s } = resolve(raw, root);
  if (s.type === "object") {
    if (!value || typeof value !== "object" || Array.isArray(value)) return undefined;
    const out = {};
    for (const [key, sub] of Object.entries(s.properties || {})) {
      const kept = key in value ? fitted(value[key], sub, root) : undefined;
      if (kept !== undefined) out[key] = kept;
    }
    return Object.keys(out).length ? out : undefined;
  }
  if (s.type === "array" || value === "" || value === null || value === undefined) return undefined;
  if (s.enum && !s.enum.includes(value)) return undefined;
  return (s.type === "string" && typeof value === "string") || (s.type === "integer" && Number.isInteger(value))
    || (s.type === "boolean" && typeof value === "boolean") ? value : undefined;
}

/* Return the state of a document's form: its own fields, the applicant's and the unit's. */
function compose(slug) {
  const schema = schemas[slug];
  const state = copy(person.docs[slug]);
  for (const [key, raw] of Object.entries(schema.properties || {})) {
    const source = key === "applicant" ? person.applicant : isUnitKey(key, raw, schema) ? unitRecord[key] : undefined;
    const kept = source === undefined ? undefined : fitted(source, raw, schema);
    if (kept !== undefined) state[key] = kept;
  }
  return state;
}

/* Put what the form holds back into the two records. */
function absorb() {
  const own = {};
  for (const [key, value] of Object.entries(form.state)) {
    const raw = (form.schema.properties || {})[key];
    if (key === "profile" || !raw) continue;
    if (key === "applicant") person.applicant = { ...person.applicant, ...copy(value) };
    else if (isUnitKey(key, raw, form.schema)) {
      unitRecord[key] = value && typeof value === "object" ? { ...unitRecord[key], ...copy(value) } : value;
    } else own[key] = copy(value);
  }
  person.docs[form.slug] = own;
  person.slug = form.slug;
  saved();
}

function hasValue(value) {
  if (value && typeof value === "object") return Object.values(value).some(hasValue);
  return value !== "" && value !== null && value !== undefined;
}

function countLeaves(value) {
  return value && typeof value === "object" ? Object.values(value).reduce((n, v) => n + countLeaves(v), 0) : 1;
}

let typeLoads = 0;   // the latest loadType: an earlier one finishing after it (arrows run through the list) gives way

/* Show a type's form; tell whether it is still the one chosen (no later loadType started meanwhile). */
async function loadType(slug) {
  const mine = ++typeLoads;
  schemas[slug] = schemas[slug] || await fetchJson(`/v1/document-types/${slug}/schema`);
  if (mine !== typeLoads) return false;
  form.slug = slug;
  form.schema = schemas[slug];
  form.state = compose(slug);
  form.errors = {};
  form.dirty = new Set();
  $("summary").hidden = true;
  $("type").value = slug;
  const type = types.find((t) => t.slug === slug);
  $("doc-title").textContent = type ? type.title : slug;
  renderForm();
  await renderOptions(slug);
  if (mine !== typeLoads) return false;
  await showMaterials();
  return mine === typeLoads;
}

async function switchType(slug) {
  if (!await loadType(slug)) return;
  person.slug = slug;
  saved();
  const carried = ["applicant", ...Object.keys(unitRecord)].filter((k) => k in form.state && hasValue(form.state[k]));
  const count = carried.reduce((n, k) => n + countLeaves(form.state[k]), 0);
  if (count) say(`已带入本申报人和本单位的${count}项信息，请核对`);
}

/* 清空表单: the applicant's record in every document (what a switch of type would bring back); the unit stays. */
async function clearPerson() {
  if (!window.confirm("清空当前申报人在各份文书中已填写的全部内容？本单位信息保留。")) return;
  person.applicant = {};
  person.docs = {};
  clearPreview();
  await loadType(form.slug);
  saved();
  say("已清空本申报人的内容；本单位信息保留");
}

/* 下一位申报人: a new, empty applicant's record; the unit's is kept, the previous applicant stays a draft. */
async function nextPerson() {
  person = { ...newPerson(), slug: form.slug };
  clearPreview();
  await loadType(form.slug);
  saved();
  listDrafts();
  const first = $("fields").querySelector("[data-pointer='/applicant/name']") || $("fields").querySelector("input, select, textarea");
  if (first) first.focus();
  say("已开始下一位申报人：本单位信息保留，个人信息均为空");
}

/* Options such as copies= and blind= are the render endpoint's query parameters in the OpenAPI document. */
async function renderOptions(slug) {
  try {
    openapi = openapi || await fetchJson("/openapi.json");
  } catch (e) {
    openapi = {};
  }
  const operation = ((openapi.paths || {})[`/v1/documents/${slug}`] || {}).post || {};
  form.options = (operation.parameters || []).filter((p) => p.in === "query" && !["format", "profile", "preview"].includes(p.name));
  const box = $("options");
  box.replaceChildren();
  if (!form.options.length) return;
  const grid = el("div", { class: "grid" });
  for (const p of form.options) {
    const s = p.schema || {};
    const id = "opt-" + p.name;
    if (s.type === "boolean") {
      grid.append(el("div", { class: "field" }, el("label", { class: "check" },
        el("input", { type: "checkbox", id, checked: s.default === true }), " ", p.description || p.name)));
    } else {
      grid.append(el("div", { class: "field" },
        el("label", { for: id, text: p.description || p.name }),
        el("input", { type: s.type === "integer" ? "number" : "text", id, min: s.minimum, max: s.maximum,
          inputmode: s.type === "integer" ? "numeric" : null })));
    }
  }
  box.append(el("fieldset", { class: "group" }, el("legend", { text: "生成选项" }), grid));
}

/* 载入示例: the sample's person and this document's fields replace the current applicant's (after asking, when
   something was typed); the unit's record takes from the sample only what it lacks; the profile stays. */
async function loadSample() {
  const typed = hasValue(person.applicant) || hasValue(person.docs[form.slug]);
  if (typed && !window.confirm("载入示例将替换当前申报人已填写的内容（本单位信息保留）。继续？")) return;
  const sample = copy(await fetchJson(`/v1/document-types/${form.slug}/sample`));
  delete sample.profile;
  for (const [key, raw] of Object.entries(form.schema.properties || {})) {
    if (!(key in sample) || !isUnitKey(key, raw, form.schema)) continue;
    unitRecord[key] = fillBlanks(unitRecord[key], sample[key]);
    delete sample[key];
  }
  if ("applicant" in (form.schema.properties || {})) person.applicant = sample.applicant || {};   // not the roster's
  delete sample.applicant;
  person.docs[form.slug] = sample;
  await loadType(form.slug);
  saved();
  say("已载入示例，可在此基础上修改");
}

async function start() {
  const listing = await fetchJson("/v1/document-types");
  types = listing.document_types;
  profiles = listing.profiles;
  for (const select of [$("profile"), $("batch-profile")]) {
    select.replaceChildren(...listing.profiles.map((p) => el("option", { value: p.id, text: p.name,
      selected: p.id === "xinjiang" })));
  }
  $("type").replaceChildren(...types.map((t) => el("option", { value: t.slug, text: t.title })));
  // the 花名册 is a tick as any other: ticking documents never drops it unseen
  $("batch-docs").replaceChildren(...types.map((t) =>
    el("label", { class: "check" }, el("input", { type: "checkbox", name: "documents", value: t.slug }), " ", t.title)));
  $("type").addEventListener("change", () => switchType($("type").value));
  $("profile").addEventListener("change", () => {
    $("batch-profile").value = unitRecord.profile = $("profile").value;
    stale();
    setError("/profile", null);
    showMaterials();
  });
  $("batch-profile").addEventListener("change", () => {
    $("profile").value = unitRecord.profile = $("batch-profile").value;
    saved();
    showMaterials();
  });
  $("make-package").addEventListener("click", makePackage);
  $("export-row").addEventListener("click", exportRosterRow);
  $("load-sample").addEventListener("click", loadSample);
  $("clear").addEventListener("click", clearPerson);
  $("next-person").addEventListener("click", nextPerson);
  $("blank-pdf").addEventListener("click", () => downloadBlank("pdf"));
  $("blank-docx").addEventListener("click", () => downloadBlank("docx"));
  $("doc").addEventListener("submit", (e) => { e.preventDefault(); render("pdf", true); });
  $("make-pdf").addEventListener("click", () => render("pdf"));
  $("make-docx").addEventListener("click", () => render("docx"));
  $("batch-form").addEventListener("submit", (e) => { e.preventDefault(); submitBatch(); });
  $("template").addEventListener("click", async () => {   // through api(): a deployment with keys guards it too
    try {
      await downloadFrom($("template").dataset.href, "职称申报人员花名册模板.xlsx");
    } catch (e) {
      $("batch-file-err").textContent = `错误：未能下载模板：${e.message}`;
      $("batch-file-err").hidden = false;
    }
  });
  $("batch-zip").addEventListener("click", () => downloadBatch("zip"));
  $("batch-print").addEventListener("click", () => downloadBatch("print"));
  $("key-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const key = $("api-key").value.trim();
    if (key) sessionStorage.setItem(KEY, key);
    $("api-key").value = "";
    $("api-key").removeAttribute("aria-invalid");
    $("key-err").hidden = true;
    keyStatus();
    $("key-state").focus();
  });
  $("key-forget").addEventListener("click", () => { sessionStorage.removeItem(KEY); keyStatus(); });
  keyStatus();
  if (sessionStorage.getItem(KEY)) $("key-box").hidden = false;
  $("verify-form").addEventListener("submit", (e) => { e.preventDefault(); verify($("verify-input").value); });
  restoreUnit();
  restorePerson();
  await openPerson(person);
}

/* ---------- kept in this browser: the unit's record, and each applicant's (drafts) ---------- */

const UNIT_STORE = "docgen-unit";

/* Write one record to localStorage; tell whether it was kept (storage full or switched off: not). */
function store(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
    return true;
  } catch (e) {
    return false;
  }
}

function stored(key) {
  try {
    return JSON.parse(localStorage.getItem(key) || "null");
  } catch (e) {
    return null;
  }
}

const DRAFT = "docgen-draft:";      // + the applicant's id: one key a person
const CURRENT = "docgen-current";   // the applicant on screen, restored after a reload
let unsaved = false;                // a change the browser could not keep (and not exported since)

/* Record that the records changed: keep them, and show them wherever the page shows them. */
function saved() {
  const kept = [store(UNIT_STORE, unitRecord), savePerson()].every(Boolean);
  if (!kept && !unsaved) say("草稿未能保存在本机（浏览器存储已满或已停用）；离开本页前请点“导出草稿”", "error");
  unsaved = !kept;
  showUnit();
  showDraftName();
  if (filledDocs() !== shownFilled) showMaterials();   // 填写/修改 and what the package holds follow each keystroke
}
let shownFilled = "";   // the documents filled when the material list was last drawn

function filledDocs() {
  return Object.keys(person.docs).filter((slug) => hasValue(person.docs[slug])).sort().join();
}

/* Keep the applicant's record as typed; one with nothing typed is not kept. */
function savePerson() {
  try {
    localStorage.setItem(CURRENT, person.id);
    if (!hasValue(person.applicant) && !hasValue(person.docs)) {
      localStorage.removeItem(DRAFT + person.id);
      return true;
    }
  } catch (e) {
    return false;
  }
  person.saved = new Date().toISOString();
  return store(DRAFT + person.id, person);
}

/* Return every applicant kept in this browser, the latest first. */
function drafts() {
  const out = [];
  try {
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i);
      const draft = key.startsWith(DRAFT) ? stored(key) : null;
      if (draft && draft.id) out.push(draft);
    }
  } catch (e) { /* storage switched off: only the applicant on screen */ }
  return out.sort((a, b) => String(b.saved || "").localeCompare(String(a.saved || "")));
}

function draftLabel(draft) {
  const applicant = draft.applicant || {};
  const when = draft.saved ? new Date(draft.saved) : null;
  const pad = (n) => String(n).padStart(2, "0");
  const parts = [applicant.id_number ? `尾号${String(applicant.id_number).slice(-4)}` : "",
    when ? `${when.getMonth() + 1}月${when.getDate()}日 ${pad(when.getHours())}:${pad(when.getMinutes())}` : "尚未填写"];
  return `${applicant.name || "未填姓名的申报人"}（${parts.filter(Boolean).join("，")}）`;
}

function listDrafts() {
  const all = drafts().filter((d) => d.id !== person.id);
  $("draft").replaceChildren(...[person, ...all].map((d) => el("option", { value: d.id, text: draftLabel(d),
    selected: d.id === person.id })));
}

function showDraftName() {
  const option = [...$("draft").options].find((o) => o.value === person.id);
  if (option) option.textContent = draftLabel(person);
  else listDrafts();
}

async function openPerson(draft, message) {
  if (draft.id !== (person || {}).id) clearPreview();
  person = { ...newPerson(), ...draft };
  person.applicant = person.applicant || {};
  person.docs = person.docs || {};
  await loadType(person.slug && types.some((t) => t.slug === person.slug) ? person.slug : form.slug || types[0].slug);
  saved();
  listDrafts();
  if (message) say(message);
}

async function dropPerson() {
  if (!window.confirm(`删除“${draftLabel(person)}”的草稿？删除后不能恢复。`)) return;
  try { localStorage.removeItem(DRAFT + person.id); } catch (e) { /* nothing was kept */ }
  const rest = drafts();
  await openPerson(rest[0] || newPerson(), "已删除草稿");
}

/* 导出草稿: every applicant and the unit in one JSON file, to keep or to carry to another computer. */
function exportDrafts() {
  const all = [person, ...drafts().filter((d) => d.id !== person.id)].filter((d) => hasValue(d.applicant) || hasValue(d.docs));
  const data = { format: "docgen-drafts", version: 1, exported: new Date().toISOString(), unit: unitRecord, applicants: all };
  const day = new Date().toISOString().slice(0, 10);
  saveBlob(new Blob([JSON.stringify(data, null, 1)], { type: "application/json" }), `职称申报草稿-${day}.json`);
  unsaved = false;    // the file keeps what the browser could not
  say(`已导出${all.length}位申报人的草稿和本单位信息`, "ok");
}

/* Return mine with its empty fields taken from theirs: the unit typed here is never replaced. */
function fillBlanks(mine, theirs) {
  if (mine && typeof mine === "object" && theirs && typeof theirs === "object") {
    const out = { ...theirs };
    for (const [key, value] of Object.entries(mine)) out[key] = fillBlanks(value, theirs[key]);
    return out;
  }
  return hasValue(mine) ? mine : theirs;
}

async function importDrafts(file) {
  let data = null;
  try { data = JSON.parse(await file.text()); } catch (e) { /* said below */ }
  if (!data || data.format !== "docgen-drafts" || !Array.isArray(data.applicants)) {
    say("所选文件不是本页导出的草稿，未导入", "error");
    return;
  }
  const people = data.applicants.filter((p) => p && typeof p.id === "string" && p.applicant && p.docs);
  people.forEach((p) => store(DRAFT + p.id, p));
  if (data.unit && typeof data.unit === "object") unitRecord = fillBlanks(unitRecord, data.unit);
  await openPerson(people[0] || person, `已导入${people.length}位申报人的草稿`);
}

function restorePerson() {
  let id = null;
  try { id = localStorage.getItem(CURRENT); } catch (e) { /* storage switched off */ }
  person = { ...newPerson(), ...(id && stored(DRAFT + id)) };
  $("draft").addEventListener("change", () => {
    const draft = stored(DRAFT + $("draft").value);
    if (draft) openPerson(draft, `已打开申报人：${draftLabel(draft)}`);
  });
  $("drop-person").addEventListener("click", dropPerson);
  $("export-drafts").addEventListener("click", exportDrafts);
  $("import-drafts").addEventListener("click", () => $("import-file").click());
  $("import-file").addEventListener("change", () => {
    const file = $("import-file").files[0];
    $("import-file").value = "";
    if (file) importDrafts(file);
  });
  // leaving warns only when a change is kept nowhere (storage full or off, and not exported), or scans are chosen
  window.addEventListener("beforeunload", (e) => {
    const scans = [...scanStore.values()].some((byKey) => Object.values(byKey).some((list) => list.length));
    if (!unsaved && !scans) return;    // scans are never stored: leaving drops them
    e.preventDefault();
    e.returnValue = "";
  });
}

/* The 本单位信息 box and the batch form show the unit's record (the field being typed in keeps its text). */
function showUnit() {
  for (const field of document.querySelectorAll("[data-unit]")) {
    if (field === document.activeElement) continue;
    field.value = getAt(unitRecord, pointerParts(field.dataset.unit)) ?? "";
  }
  const unit = unitRecord.unit || {};
  $("unit-line").textContent = unit.name ? `：${unit.name}` : "（未填写）";
}

function onUnitInput(field) {
  const parts = pointerParts(field.dataset.unit);
  const value = field.type === "number" && /^\d+$/.test(field.value.trim()) ? Number(field.value) : field.value;
  setAt(unitRecord, parts, value);
  // the document on screen shows the same value, when it prints this field as the unit's
  const raw = form.schema && (form.schema.properties || {})[parts[0]];
  const control = $("fields").querySelector(`[data-pointer="${CSS.escape(field.dataset.unit)}"]`);
  if (raw && control && isUnitKey(parts[0], raw, form.schema)) {
    setAt(form.state, parts, value);
    control.value = field.value;
    if (!$("result").hidden) $("result-stale").hidden = false;
  }
  saved();
}

async function clearUnit() {
  if (!window.confirm("清除本单位信息（单位名称、办公室、电话、纪检部门、公示期等）？各申报人的内容不受影响。")) return;
  unitRecord = { profile: unitRecord.profile };
  await loadType(form.slug);
  saved();
  say("已清除本单位信息");
}

function restoreUnit() {
  unitRecord = stored(UNIT_STORE) || {};
  for (const select of [$("profile"), $("batch-profile")]) {
    if ([...select.options].some((o) => o.value === unitRecord.profile)) select.value = unitRecord.profile;
  }
  document.addEventListener("input", (e) => { if (e.target.dataset && e.target.dataset.unit) onUnitInput(e.target); });
  $("unit-clear").addEventListener("click", clearUnit);
  $("unit-box").open = !hasValue(unitRecord.unit);
  showUnit();
}

/* ---------- the applicant's package: the profile's material list, each document, the scans, 申报材料.pdf ---------- */

const materialLists = {};   // profile id → {paper, materials, documents}
const scanStore = new Map(); // applicant id → {material key → [{file, kind, pages}]}: in this page only, never stored

async function profileMaterials(id) {
  if (!materialLists[id]) {
    const [list, profile] = await Promise.all([fetchJson(`/v1/profiles/${encodeURIComponent(id)}/materials`),
      fetchJson(`/v1/profiles/${encodeURIComponent(id)}`)]);
    materialLists[id] = { ...list, documents: profile.documents || [] };
  }
  return materialLists[id];
}

function scansOf(key) {
  if (!scanStore.has(person.id)) scanStore.set(person.id, {});
  const mine = scanStore.get(person.id);
  mine[key] = mine[key] || [];
  return mine[key];
}

function packageSay(text, kind) {
  const status = $("package-status");
  status.textContent = text;
  status.className = "status" + (kind ? " status-" + kind : "");
}

/* Show the material list of the chosen profile for the applicant on screen. */
async function showMaterials() {
  let list;
  try {
    list = await profileMaterials($("profile").value);
  } catch (e) {
    $("materials").replaceChildren(el("li", { text: "无法载入申报材料清单，请刷新页面" }));
    delete $("materials").dataset.shape;
    return;
  }
  shownFilled = filledDocs();
  const box = $("materials"), shape = [$("profile").value, ...list.materials.map((m) => m.key)].join();
  if (box.dataset.shape === shape) {   // the same list: only the documents' lines change (filled or not)
    for (const item of list.materials) {
      const old = box.querySelector(`#material-${item.key} .material-actions`);
      if (old) old.replaceWith(documentActions(types.find((t) => t.slug === item.document), item, list));
    }
  } else {
    const focused = box.contains(document.activeElement) ? document.activeElement.id : null;
    box.replaceChildren(...list.materials.map((item) => materialItem(item, list)));
    box.dataset.shape = shape;
    if (focused && $(focused)) $(focused).focus();   // a keyboard user keeps their place when the list is redrawn
  }
  const makes = list.paper && list.materials.length;
  $("make-package").hidden = !makes;
  if (!makes) packageSay(list.materials.length ? "本地区无需上报纸质申报材料，只在网上提交电子版；可逐份生成文书" : "本地区配置没有申报材料清单");
}

function materialItem(item, list) {
  const type = item.document && types.find((t) => t.slug === item.document);
  const meta = [item.copies > 1 ? `一式${item.copies}份` : "", item.original !== "原件" ? item.original : ""].filter(Boolean);
  const head = el("p", { class: "material-title" }, el("span", { text: item.title }),
    meta.length ? el("span", { class: "material-meta", text: `（${meta.join("，")}）` }) : null);
  const when = item.condition ? el("p", { class: "hint", text: `仅以下情形提交：${item.condition}` }) : null;
  let body;
  if (type) body = documentActions(type, item, list);
  else if (item.upload) body = scanBox(item);
  else body = el("p", { class: "hint", text: "本系统不生成，请自备" });
  return el("li", { class: "material", id: "material-" + item.key, "data-key": item.key }, head, when, body);
}

/* Whether the whole package generates a document of the list: one this applicant filled, or one the notice
   asks of every applicant (the profile's documents; unfilled, its blank form); a document only some give
   (item.condition) only when filled. */
function inPackage(item, list) {
  if (!item.document || !types.some((t) => t.slug === item.document)) return false;
  return hasValue(person.docs[item.document]) || (!item.condition && list.documents.includes(item.document));
}

function documentActions(type, item, list) {
  const filled = hasValue(person.docs[type.slug]);
  const where = !list.paper ? "" : filled ? "整套材料中按所填内容生成"
    : item.condition ? "整套材料中不含：符合情形的请填写，填写后一并生成"
    : inPackage(item, list) ? "整套材料中按所填内容生成" : "整套材料中为空白表（未填写），手工填写";
  return el("div", { class: "material-actions" }, where ? el("p", { class: "hint", text: where }) : null, el("div", { class: "buttons" },
    el("button", { type: "button", class: "secondary", "data-make": type.slug, onclick: (e) => makeOne(type.slug, e.currentTarget) },
      "生成 PDF", el("span", { class: "visually-hidden", text: `：${type.title}` })),
    el("button", { type: "button", class: "link", "data-open": type.slug, onclick: () => openForm(type.slug) },
      filled ? "修改" : "填写", el("span", { class: "visually-hidden", text: `：${type.title}` }))));
}

async function openForm(slug) {
  await switchType(slug);
  const first = $("fields").querySelector("input, select, textarea");
  if (first) first.focus();
}

function scanBox(item) {
  const id = "scan-" + item.key;
  const input = el("input", { type: "file", id, multiple: true, "data-scan": item.key,
    accept: ".jpg,.jpeg,.png,.pdf,image/jpeg,image/png,application/pdf", "aria-describedby": `${id}-hint ${id}-err` });
  input.addEventListener("change", () => addScans(item, input));
  const list = el("ul", { class: "scans", id: id + "-list" }, scansOf(item.key).map((scan, i) => scanLine(item, scan, i)));
  return el("div", { class: "field" },
    el("label", { for: id }, "上传扫描件", el("span", { class: "visually-hidden", text: `：${item.title}` })),
    el("p", { class: "hint", id: id + "-hint", text: "JPG、PNG 或 PDF，每份不超过20MB；可选多份，按选择的先后排列" }),
    el("p", { class: "error", id: id + "-err", hidden: true }), input, list);
}

function scanLine(item, scan, index) {
  return el("li", {}, `${scan.file.name}（${scan.pages}页）`,
    el("button", { type: "button", class: "link", onclick: () => removeScan(item, index) },
      "移除", el("span", { class: "visually-hidden", text: `：${scan.file.name}` })));
}

/* Check each chosen file as a batch checks its attachments (the server's check, its words); keep the good ones. */
async function addScans(item, input) {
  const files = [...input.files];
  input.value = "";
  const problems = [];
  for (const file of files) {
    const data = new FormData();
    data.append("file", file, file.name);
    try {
      const response = await api("/v1/batches/scans/check", { method: "POST", body: data, headers: { Accept: "application/json" } });
      const answer = await (response.ok ? response.json() : problemOf(response));
      if (response.ok) scansOf(item.key).push({ file, kind: answer.kind, pages: answer.pages });
      else problems.push(`${file.name}：${((answer.errors || [])[0] || answer).detail || answer.title}`);
    } catch (e) {
      problems.push(`${file.name}：无法连接服务，请重试`);
    }
  }
  showScans(item, problems);
  const count = scansOf(item.key).length;
  packageSay(problems.length ? `有${problems.length}份扫描件未能添加` : `已添加扫描件：${item.title}共${count}份`, problems.length ? "error" : "ok");
}

function removeScan(item, index) {
  const [gone] = scansOf(item.key).splice(index, 1);
  showScans(item, []);
  $("scan-" + item.key).focus();
  packageSay(`已移除扫描件：${gone.file.name}`);
}

function showScans(item, problems) {
  const id = "scan-" + item.key;
  $(id + "-list").replaceChildren(...scansOf(item.key).map((scan, i) => scanLine(item, scan, i)));
  const err = $(id + "-err");
  err.hidden = !problems.length;
  err.textContent = problems.length ? "错误：" + problems.join("；") : "";
  if (problems.length) $(id).setAttribute("aria-invalid", "true"); else $(id).removeAttribute("aria-invalid");
}

/* Return a copy of a record without its empty fields (and without groups and lists left empty). */
function withoutEmpty(value) {
  if (value && typeof value === "object") {
    const kept = Object.entries(value).map(([k, v]) => [k, withoutEmpty(v)]).filter(([, v]) => v !== undefined);
    if (Array.isArray(value)) return kept.length ? kept.map(([, v]) => v) : undefined;
    return kept.length ? Object.fromEntries(kept) : undefined;
  }
  return value === "" || value === null || value === undefined ? undefined : value;
}

/* Return what one document of the applicant is: the form composed from the records, without its empty fields. */
async function documentBody(slug) {
  schemas[slug] = schemas[slug] || await fetchJson(`/v1/document-types/${slug}/schema`);
  const body = pruned(compose(slug), schemas[slug], schemas[slug], true) || {};
  delete body.profile;
  return body;
}

/* One document of the list in one click: issued (it gets its number), downloaded; its errors shown in its form. */
async function makeOne(slug, button) {
  if (form.schema) absorb();
  button.disabled = true;
  const title = (types.find((t) => t.slug === slug) || {}).title || slug;
  packageSay(`正在生成：${title}…`);
  try {
    const params = new URLSearchParams({ format: "pdf", profile: $("profile").value });
    const response = await api(`/v1/documents/${slug}?${params}`, {
      method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(await documentBody(slug)),
    });
    if (!response.ok) {
      const problem = await problemOf(response);
      packageSay(`未能生成${title}：请按提示修改`, "error");
      if (response.status !== 401) { await switchType(slug); showProblem(problem); }
      return;
    }
    const name = filenameOf(response, `${title}.pdf`);
    saveBlob(await response.blob(), name);
    packageSay(`已出具并下载：${name}（文书编号 ${response.headers.get("X-Document-Id")}）`, "ok");
  } catch (e) {
    packageSay("无法连接服务，请检查网络后重试", "error");
  } finally {
    button.disabled = false;
  }
}

/* The one-applicant batch of the whole package: the notice's documents of the list, and the ones this applicant
   filled (a document only some applicants give is generated on its own); the others go in as blank forms. */
async function packageBatch(list) {
  const slugs = list.materials.filter((m) => inPackage(m, list)).map((m) => m.document);
  const batch = { profile: $("profile").value, unit: withoutEmpty(unitRecord.unit) || {}, applicants: [], documents: [...new Set(slugs)],
    formats: ["pdf"], package: true, defaults: {} };
  const applicant = {}, payload = {};
  for (const slug of batch.documents) {
    const { applicant: own, unit, notice, ...rest } = await documentBody(slug);
    Object.assign(applicant, own || {});
    Object.assign(batch.unit, unit || {});
    if (notice) batch.notice = notice;
    for (const key of types.find((t) => t.slug === slug).batch_when) {   // what makes it this applicant's own
      if (key in rest) payload[key] = rest[key];
      delete rest[key];
    }
    if (Object.keys(rest).length) batch.defaults[slug] = rest;
  }
  batch.applicants.push({ ...applicant, name: applicant.name || person.applicant.name || "", payload });
  return batch;
}

async function makePackage() {
  if (form.schema) absorb();
  $("package-errors").hidden = true;
  const button = $("make-package");
  button.disabled = true;
  packageSay("正在提交整套申报材料…");
  try {
    const list = await profileMaterials($("profile").value);
    const data = new FormData();
    data.append("batch", new Blob([JSON.stringify(await packageBatch(list))], { type: "application/json" }), "batch.json");
    for (const item of list.materials.filter((m) => m.upload)) {
      for (const scan of scansOf(item.key)) data.append(`attachment:0:${item.key}`, scan.file, scan.file.name);
    }
    const response = await api("/v1/batches", { method: "POST", body: data, headers: { Accept: "application/json" } });
    if (!response.ok) {
      await showPackageProblem(await problemOf(response));
      return;
    }
    const location = response.headers.get("Location") || `/v1/batches/${(await response.json()).id}`;
    const batch = await finished(location, (done, total) => packageSay(`正在生成：已完成${done}/${total}份`));
    if (batch.status !== "done") {
      await showPackageProblem({ title: "申报材料未能生成", detail: batch.error || "", errors: batch.errors || [] });
      return;
    }
    const name = await downloadFrom(`${location}/packages/0`, "申报材料.pdf");
    packageSay(`已下载：${name}`, "ok");
  } catch (e) {
    packageSay(e instanceof TypeError ? "无法连接服务，请检查网络后重试" : `未能下载：${e.message}`, "error");
  } finally {
    button.disabled = false;
  }
}

/* Poll a batch until it is done or failed; tell its progress on the way. */
async function finished(location, progress) {
  for (;;) {
    const batch = await fetchJson(location);
    if (batch.status === "done" || batch.status === "failed") return batch;
    const { done = 0, total = 0 } = batch.progress || {};
    progress(done, total);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/* Where an error of the package batch is fixed: the form of its document (or the scan it names). */
function packageTarget(error, documents) {
  const parts = pointerParts(error.pointer || "");
  if (parts[0] === "attachments") return { scan: parts[2] };
  if (parts[0] === "defaults") return { slug: parts[1], pointer: pointerOf(parts.slice(2)) };
  const pointer = parts[0] === "applicants" ? pointerOf(["applicant", ...parts.slice(2)]) : error.pointer || "";
  return { slug: error.document || documents[0], pointer };
}

async function showPackageProblem(problem) {
  const errors = problem.errors || [];
  const list = await profileMaterials($("profile").value);
  const documents = list.materials.map((m) => m.document).filter((s) => s && types.some((t) => t.slug === s));
  $("package-errors-h").textContent = errors.length ? `${problem.title}（共${errors.length}处）` : problem.title;
  $("package-errors-list").replaceChildren(...(errors.length ? errors : [{ detail: problem.detail || problem.title }]).map((error) => {
    const target = packageTarget(error, documents);
    const type = types.find((t) => t.slug === target.slug);
    const text = `${type && !target.scan ? type.title + "：" : ""}${error.detail}`;
    if (target.scan) return el("li", {}, el("a", { href: "#scan-" + target.scan, text, onclick: (e) => { e.preventDefault(); focusField("scan-" + target.scan); } }));
    if (!type || !error.pointer) return el("li", { text });
    return el("li", {}, el("a", { href: "#doc", text, onclick: async (e) => {
      e.preventDefault();
      await switchType(target.slug);
      showProblem({ title: `${type.title}有误`, errors: [{ pointer: target.pointer, detail: error.detail }] });
    } }));
  }));
  packageSay("未能生成整套申报材料：请按下列提示修改", "error");
  const box = $("package-errors");
  box.setAttribute("role", "alert");
  box.hidden = false;
  box.focus();
}

/* 导出为花名册行: the applicant as one row under the roster template's header, to paste into the unit's roster. */
async function exportRosterRow() {
  if (form.schema) absorb();
  const applicant = withoutEmpty(person.applicant) || {};
  delete applicant.photo;       // no column of the roster
  delete applicant.photo_eyes;
  if (!applicant.name) {
    say("请先填写申报人姓名，再导出花名册行", "error");
    return;
  }
  const notice = person.docs["public-notice"] || {};
  const payload = withoutEmpty({ political: notice.political, achievements: notice.achievements });
  const row = { ...applicant, ...(payload ? { payload } : {}) };
  try {
    const response = await api("/v1/batches/template.xlsx", {
      method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ unit: (unitRecord.unit || {}).name || "", applicants: [row] }),
    });
    if (!response.ok) {
      const problem = await problemOf(response);
      say(`未能导出：${((problem.errors || [])[0] || problem).detail || problem.title}`, "error");
      return;
    }
    const name = `${applicant.name}-花名册行.xlsx`;
    saveBlob(await response.blob(), name);
    say(`已导出：${name}（模板的表头之下第一行为此申报人，可复制到本单位的花名册中）`, "ok");
  } catch (e) {
    say("无法连接服务，请检查网络后重试", "error");
  }
}

/* ---------- batches ---------- */

let roster = null;  // the roster's schema: column titles for errors that name a field

async function submitBatch() {
  $("batch-errors").hidden = true;
  markBatchFields([]);
  const file = $("batch-file").files[0];
  const fileErr = $("batch-file-err");
  fileErr.hidden = true;
  $("batch-file").removeAttribute("aria-invalid");
  if (!file) {
    fileErr.textContent = "错误：" + message("missing", { title: "花名册文件" });
    fileErr.hidden = false;
    $("batch-file").setAttribute("aria-invalid", "true");
    $("batch-file").focus();
    return;
  }
  const data = new FormData();
  data.append("file", file);
  for (const field of $("batch-form").querySelectorAll("input[type=text], input[type=date], select")) {
    if (field.name && field.value.trim()) data.append(field.name, field.value.trim());
  }
  const checked = (name) => [...$("batch-form").querySelectorAll(`input[name=${name}]:checked`)].map((c) => c.value);
  if (checked("formats").length) data.append("formats", checked("formats").join(","));
  if ($("batch-partial").checked) data.append("partial", "true");
  if (checked("documents").length) data.append("documents", checked("documents").join(","));
  $("batch-submit").disabled = true;
  try {
    const response = await api("/v1/batches", { method: "POST", body: data, headers: { Accept: "application/json" } });
    if (!response.ok) {
      await showBatchProblem(await problemOf(response));
      return;
    }
    const batch = await response.json();
    if ((batch.rejected || []).length) {   // partial=true: the valid rows run, the others are listed
      await showBatchProblem({ title: "以下申报人有误，未生成", errors: batch.rejected });
    }
    followBatch(response.headers.get("Location") || `/v1/batches/${batch.id}`);
  } catch (e) {
    await showBatchProblem({ title: "无法连接服务", detail: "请检查网络后重试" });
  } finally {
    $("batch-submit").disabled = false;
  }
}

/* A cell of the roster: the error's row and column when the API names them, else read from its pointer
   (/applicants/3/id_number is the 4th applicant's 身份证号码). */
async function cellOf(error) {
  if (error.row !== undefined || error.column !== undefined || error.cell !== undefined) {
    const row = error.row !== undefined ? `第${error.row}行` : "";
    return [row || error.cell || "", error.column ?? error.cell ?? ""];
  }
  const parts = pointerParts(error.pointer || "");
  if (parts[0] !== "applicants" || parts.length < 2) return ["—", "—"];  // not a cell: the message says what
  try {
    roster = roster || await fetchJson("/v1/document-types/roster/schema");
  } catch (e) {
    roster = { $defs: {} };
  }
  const fields = (Object.values(roster.$defs || {}).find((d) => d.properties && d.properties.route) || {}).properties || {};
  const key = parts[2];
  return [`第${Number(parts[1]) + 1}位申报人`, key ? (fields[key] && fields[key].title) || key : ""];
}

function markBatchFields(errors) {
  const fields = [...$("batch-form").querySelectorAll("[data-batch-pointer]")];
  const at = (f) => f.dataset.batchPointer;
  const found = new Map();
  for (const e of errors) {
    const p = e.pointer || "";
    const field = fields.find((f) => at(f) === p || p.startsWith(at(f) + "/"))
      || (p.split("/").length === 2 ? fields.find((f) => at(f).startsWith(p + "/")) : undefined);
    if (field && !found.has(field)) found.set(field, e.detail);   // /notice missing: its first field
  }
  for (const [field, detail] of found) {
    // "李娟：受理异议的办公室为必填项" names the first applicant who needs it; beside the field, the field says it
    const rest = detail.slice(detail.indexOf("：") + 1);
    if (rest.startsWith(field.labels[0].textContent.trim())) found.set(field, rest);
  }
  for (const field of fields) {
    const slot = $(field.id + "-err");
    slot.hidden = !found.has(field);
    slot.textContent = found.has(field) ? `错误：${found.get(field)}` : "";
    if (found.has(field)) field.setAttribute("aria-invalid", "true"); else field.removeAttribute("aria-invalid");
  }
}

async function showBatchProblem(problem) {
  const box = $("batch-errors");
  const errors = problem.errors || [];
  // a unit-wide value (/unit/office, /notice/start_date) is a field of this form: say it there too
  markBatchFields(errors);
  $("batch-errors-h").textContent = errors.length ? `${problem.title}（共${errors.length}处）` : problem.title;
  $("batch-errors-detail").textContent = errors.length ? "请改正以下各处（花名册的单元格或上面的栏目）后重新上传：" : problem.detail || "";
  const table = $("batch-errors-table");
  table.hidden = !errors.length;
  const rows = [];
  for (const error of errors) {
    const [row, column] = await cellOf(error);
    const type = types.find((t) => t.slug === error.document);
    rows.push(el("tr", {}, el("td", { text: row }), el("td", { text: column }), el("td", { text: type ? type.title : "" }),
      el("td", { text: error.detail })));
  }
  table.tBodies[0].replaceChildren(...rows);
  box.setAttribute("role", "alert");
  box.hidden = false;
  box.focus();
}

let batchFiles = {};

async function downloadBatch(which) {
  const status = $("batch-status");
  try {
    const name = await downloadFrom(batchFiles[which], which === "zip" ? "职称申报材料.zip" : "打印.pdf");
    status.textContent = `已下载：${name}`;
  } catch (e) {
    status.textContent = e instanceof TypeError ? "无法连接服务，请检查网络后重试" : `未能下载：${e.message}`;
  }
}

async function followBatch(location) {
  $("batch-idle").hidden = true;
  $("batch-progress-box").hidden = false;
  $("batch-done").hidden = true;
  const bar = $("batch-progress");
  const status = $("batch-status");
  let announced = -1;
  for (;;) {
    let batch;
    try {
      batch = await fetchJson(location);
    } catch (e) {
      status.textContent = "暂时无法获取进度，正在重试…";
      await new Promise((r) => setTimeout(r, 2000));
      continue;
    }
    const { done = 0, total = 0 } = batch.progress || {};
    bar.max = Math.max(total, 1);
    bar.value = done;
    const percent = total ? Math.round((done / total) * 100) : 0;
    bar.textContent = `${percent}%`;
    if (batch.status === "done") {
      $("batch-progress-label").textContent = `生成进度：${done}/${total}`;
      status.textContent = `已全部生成：共${total}份文书`;
      const links = batch.links || {};
      batchFiles = { zip: links.archive || `${location}/archive`, print: links.print || `${location}/print.pdf` };
      $("batch-done").hidden = false;
      return;
    }
    if (batch.status === "cancelled") {
      status.textContent = "已取消：本批次不再生成";
      return;
    }
    if (batch.status === "failed") {
      status.textContent = "生成失败";
      await showBatchProblem({ title: "批量生成失败", detail: batch.error || "", errors: batch.errors || [] });
      return;
    }
    const text = `${batch.status === "queued" ? "排队中" : "正在生成"}：已完成${done}/${total}份（${percent}%）`;
    $("batch-progress-label").textContent = `生成进度：${done}/${total}`;
    // the live region speaks every quarter, not every poll: a screen reader would otherwise talk without pause
    const quarter = Math.floor(percent / 25);
    if (quarter !== announced) { status.textContent = text; announced = quarter; }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/* ---------- verification ---------- */

/* The registry keeps UTC; staff read 北京时间 (UTC+8), e.g. 2024年9月20日 10:05. */
function beijingTime(iso) {
  const utc = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : iso + "Z");
  if (Number.isNaN(utc.getTime())) return iso;
  const t = new Date(utc.getTime() + 8 * 3600 * 1000);
  const pad = (n) => String(n).padStart(2, "0");
  return `${t.getUTCFullYear()}年${t.getUTCMonth() + 1}月${t.getUTCDate()}日 ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}（北京时间）`;
}

/* A scanned QR code gives the whole link, …/v1/verify/<id>?s=<signature>; staff may also type the id. */
function parseVerify(input) {
  const text = input.trim();
  const match = /\/verify\/([^/?#\s]+)(?:\?([^#\s]*))?/.exec(text);
  if (match) return { id: decodeURIComponent(match[1]), s: new URLSearchParams(match[2] || "").get("s") };
  return { id: text, s: null };
}

function showVerify(id, file) {
  $("verify-input").value = id;
  location.hash = "#verify";
  verify(id, file);
}

/* What the registry says, in words: a QR signature or the file itself proves a document; an id alone only
   that it was registered (older servers answer without `proven` and call every registered id genuine). */
function verdictOf(d) {
  if (d.revoked) return ["forged", "已吊销", "此文书已被出具单位吊销，不再有效。"];
  if (d.signature_valid === false) return ["forged", "不符：链接签名无效", "此编号的文书已登记，但二维码链接的签名不符，链接可能被篡改。请以下列登记信息为准，谨慎核对纸质文书。"];
  if (d.content_matches === false) return ["forged", "不符：文件已被改动", "此编号的文书已登记，但所提交文件与登记的文件不同，内容可能被改动。"];
  if (d.genuine && (d.signature_valid || d.content_matches || !("proven" in d))) {
    return ["genuine", "真实：本系统出具的文书", d.content_matches ? "所提交文件与登记的文件完全相同。"
      : d.signature_valid ? "二维码签名相符。请核对纸质文书与下列登记信息是否一致。" : "请核对纸质文书与下列登记信息是否一致。"];
  }
  return ["registered", "已登记：请再核对内容", "此编号的文书由本系统出具；要证明手中的就是它，请扫描文书上的二维码，或选择文书文件核对。"];
}

async function verify(input, file) {
  const err = $("verify-err");
  const field = $("verify-input");
  const { id, s } = parseVerify(input);
  err.hidden = true;
  field.removeAttribute("aria-invalid");
  if (!id) {
    err.textContent = "错误：" + message("missing", { title: "文书编号或二维码链接" });
    err.hidden = false;
    field.setAttribute("aria-invalid", "true");
    field.focus();
    return;
  }
  const box = $("verify-result");
  const facts = $("verify-facts");
  const url = `/v1/verify/${encodeURIComponent(id)}` + (s ? `?s=${encodeURIComponent(s)}` : "");
  const presented = file || $("verify-file").files[0];
  let response;
  try {
    if (presented) {
      const data = new FormData();
      data.append("file", presented, presented.name || "document");
      response = await api(url, { method: "POST", body: data, headers: { Accept: "application/json" } });
    }
    if (!presented || response.status === 405) {     // a server that cannot check files: the registry alone
      response = await api(url, { headers: { Accept: "application/json" } });
    }
  } catch (e) {
    err.textContent = "错误：无法连接服务，请检查网络后重试";
    err.hidden = false;
    return;
  }
  box.classList.remove("genuine", "forged", "unknown", "registered");
  if (!response.ok) {
    const problem = await problemOf(response);
    box.classList.add("unknown");
    $("verify-verdict").textContent = response.status === 404 ? "查无此文书" : problem.title;
    $("verify-explain").textContent = problem.detail || "";
    facts.replaceChildren();
  } else {
    const d = await response.json();
    const [kind, verdict, explain] = verdictOf(d);
    box.classList.add(kind);
    $("verify-verdict").textContent = verdict;
    $("verify-explain").textContent = explain;
    const profile = profiles.find((p) => p.id === d.profile);
    const rows = [["文书", d.title], ["对象", d.subject], ["出具单位", d.issuing_unit], ["出具时间", beijingTime(d.issued_at)],
      ["地区配置", d.profile_name || (profile ? profile.name : d.profile)],
      ["文书编号", d.document_id], ["内容指纹（SHA-256）", d.sha256],
      ["已证明", (d.proven || []).join("；")], ["未证明", (d.not_proven || []).join("；")]];
    facts.replaceChildren(...rows.filter(([, v]) => v).flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })]));
  }
  box.hidden = false;
  box.focus();
}

/* ---------- tabs: one section at a time, chosen by the address (#fill, #batch, #verify) ---------- */

function showTab() {
  const names = ["fill", "batch", "verify"];
  const current = names.includes(location.hash.slice(1)) ? location.hash.slice(1) : "fill";
  for (const name of names) $(name).hidden = name !== current;
  for (const link of document.querySelectorAll("[data-tab]")) {
    if (link.dataset.tab === current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

window.addEventListener("hashchange", showTab);
showTab();
start().catch(() => say("无法载入文书类型，请刷新页面或联系管理员", "error"));
