// docxtemplater (Node), warm, for bench/docxtemplater.py: one JSON message a line on stdin, one answer a line.
//   {"load": NAME, "template": BASE64 DOCX, "data": {...}}  -> {"ok": true}
//   {"render": NAME}                                         -> {"cpu_ms": CPU of this render, "bytes": size}
//   {"render": NAME, "keep": true}                           -> the same and {"docx": BASE64 of the DOCX written}
// A render is what an integrator writes: open the template's zip, fill it, write the DOCX (deflated).
"use strict";
const readline = require("readline");
const PizZip = require("pizzip");
const Docxtemplater = require("docxtemplater");

const templates = new Map();
const answer = (message) => process.stdout.write(JSON.stringify(message) + "\n");

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  const message = JSON.parse(line);
  if (message.load) {
    templates.set(message.load, { zip: Buffer.from(message.template, "base64"), data: message.data });
    answer({ ok: true });
    return;
  }
  const template = templates.get(message.render);
  const start = process.cpuUsage();
  const doc = new Docxtemplater(new PizZip(template.zip), { paragraphLoop: true, delimiters: { start: "[[", end: "]]" } });
  doc.render(template.data);
  const out = doc.getZip().generate({ type: "nodebuffer", compression: "DEFLATE" });
  const used = process.cpuUsage(start);
  answer({ cpu_ms: (used.user + used.system) / 1000, bytes: out.length,
           ...(message.keep ? { docx: out.toString("base64") } : {}) });
});
