/**
 * Lays out a hand-written BPMN model with bpmn-auto-layout and writes it back in place:
 * `node scripts/layout-bpmn.mjs processes/kim-referral/kim-referral.bpmn`. An existing diagram is
 * replaced; incoming/outgoing of flow nodes are filled from the sequence flows first (the layouter
 * follows them). The `camunda:` extension attributes and elements (topics, forms, candidate groups,
 * input parameters …) are read with the camunda moddle descriptor and written back unchanged.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { BpmnModdle } from 'bpmn-moddle';
import { layoutProcess } from 'bpmn-auto-layout';

const require = createRequire(import.meta.url);

/** The camunda descriptor when installed; without it moddle still keeps unknown extensions as they are. */
function camundaPackages() {
  try {
    return { camunda: require('camunda-bpmn-moddle/resources/camunda.json') };
  } catch {
    return {};
  }
}

for (const file of process.argv.slice(2)) {
  const moddle = new BpmnModdle(camundaPackages());
  const { rootElement } = await moddle.fromXML(fs.readFileSync(file, 'utf8'));
  rootElement.diagrams = [];
  for (const p of rootElement.rootElements.filter((e) => e.$type === 'bpmn:Process')) {
    for (const n of p.flowElements) if (n.$type !== 'bpmn:SequenceFlow') Object.assign(n, { incoming: [], outgoing: [] });
    for (const f of p.flowElements.filter((e) => e.$type === 'bpmn:SequenceFlow')) {
      f.sourceRef.outgoing.push(f);
      f.targetRef.incoming.push(f);
    }
  }
  const { xml } = await moddle.toXML(rootElement, { format: true });
  const out = await layoutProcess(xml);
  fs.writeFileSync(file, out.endsWith('\n') ? out : `${out}\n`);
  console.log(`Layout geschrieben: ${file}`);
}
