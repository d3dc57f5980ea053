// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// Validates Kubernetes manifests against the published schemas: Kubernetes'
// own (kubernetes-models) and the Prometheus Operator's CRDs
// (@kubernetes-models/prometheus-operator). Every YAML document of every file
// must parse (duplicate keys are errors), name a known apiVersion and kind,
// and validate. Prints "ok: FILE: KIND NAME" or "FAIL: FILE: ..."; exits 1 on
// any failure.
//   node validate.mjs FILE...
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

async function model(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const path = group === "monitoring.coreos.com"
    ? `@kubernetes-models/prometheus-operator/${group}/${version}/${kind}`
    : `kubernetes-models/${group ? group + "/" : ""}${version}/${kind}`;
  try {
    return (await import(path))[kind];
  } catch {
    return undefined;
  }
}

let bad = 0;
const fail = (msg) => { console.log(`FAIL: ${msg}`); bad++; };
for (const file of process.argv.slice(2)) {
  let docs;
  try {
    docs = parseAllDocuments(readFileSync(file, "utf8"), { uniqueKeys: true });
  } catch (e) {
    fail(`${file}: ${e.message}`);
    continue;
  }
  if (docs.length === 0) fail(`${file}: no document`);
  for (const doc of docs) {
    if (doc.errors.length) { fail(`${file}: ${doc.errors.map((e) => e.message).join("; ")}`); continue; }
    const obj = doc.toJS();
    if (obj === null) continue;
    const { apiVersion, kind } = obj;
    const name = obj.metadata?.name;
    const M = apiVersion && kind ? await model(apiVersion, kind) : undefined;
    if (!M) { fail(`${file}: unknown apiVersion/kind ${apiVersion}/${kind}`); continue; }
    if (!name) { fail(`${file}: ${kind} without metadata.name`); continue; }
    try {
      new M(obj).validate();
      console.log(`ok: ${file}: ${apiVersion} ${kind} ${name}`);
    } catch (e) {
      fail(`${file}: ${kind} ${name}: ${e.message}`);
    }
  }
}
process.exit(bad ? 1 : 0);
