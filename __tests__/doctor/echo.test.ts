import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatReport, formatReportJson, runDoctor } from '../../doctor';
import { ROOT, fakeHost, healthyHost } from '../helpers/doctor-host';

/*
 * Issue "Every config the rules accept is safe and works", weak points: what the doctor (which
 * `npm run deploy` runs first) echoes of a config must not show credentials or move the cursor.
 */
describe('what the doctor echoes', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-lab-doctor-echo-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function reportFor(yaml: string, patch: (spec: ReturnType<typeof healthyHost>) => void = () => undefined) {
    const file = path.join(dir, `lab-${Math.random().toString(36).slice(2)}.yaml`);
    fs.writeFileSync(file, yaml);
    const spec = healthyHost();
    spec.env.LAB_CONFIG = file;
    patch(spec);
    return runDoctor(fakeHost(spec), ROOT);
  }

  test("masks the credentials of image.source in every check's text, human and JSON", () => {
    // GIVEN an image URL with a user and password, and a host that does not resolve
    const report = reportFor('image: { source: "https://alice:s3cret@images.example/debian.qcow2" }\n', (spec) => {
      spec.commands['getent ahosts images.example'] = { status: 2 };
    });

    // WHEN reported THEN the image check fails and names the URL without its password
    const image = report.results.find((r) => r.id === 'image');
    expect(image?.ok).toBe(false);
    for (const text of [formatReport(report), formatReportJson(report)]) {
      expect(text).not.toContain('s3cret');
      expect(text).toContain('https://alice:***@images.example/debian.qcow2');
    }
  });

  test('escapes terminal escapes in what a check echoes of the config', () => {
    // GIVEN an image path with terminal escapes (the schema refuses it: printable text only)
    const report = reportFor('image: { source: "/srv/img\\u001b]0;pwned\\u0007\\u009b2J.qcow2" }\n');
    const text = formatReport(report);
    // THEN the config check fails and echoes the value with every control character escaped
    expect(report.results.find((r) => r.id === 'config')?.ok).toBe(false);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(text).toContain('/srv/img\\u001b]0;pwned\\u0007\\u009b2J.qcow2');
  });
});
