import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Domain } from '../../.gen/providers/libvirt/domain';
import { LabVm, LvsDrLabStack, type LabVmProps } from '../../constructs';
import { LabConfigError } from '../../lab';
import { Testing } from '../../constructs/engine';
import { evaluateTerraformStrings } from '../helpers/terraform';
import { labVmFixture } from '../helpers/lab-fixtures';
import { requireTool } from '../helpers/tools';

/*
 * The console log: LabVm adds `<log file=…>` to the serial console with an XSLT the provider runs
 * through xsltproc. The file name is data: neither an XPath expression (an attribute value
 * template's `{…}`) nor markup (issue "Safe deploys", 4).
 */

/** A domain XML as the provider hands it to the XSLT: what matters is the serial console. */
const DOMAIN_XML = [
  '<domain type="qemu">',
  '  <name>lvs-lab--rs-1</name>',
  '  <devices>',
  '    <console type="pty"><target type="serial" port="0"/></console>',
  '    <console type="pty"><target type="virtio" port="1"/></console>',
  '  </devices>',
  '</domain>',
  '',
].join('\n');

/** Reads the serial console's log file name back out of a domain XML (text output: no escaping). */
const READ_LOG_FILE = [
  '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">',
  '  <xsl:output method="text"/>',
  '  <xsl:template match="/">',
  '    <xsl:for-each select="//console/log"><xsl:value-of select="../target/@type"/>=<xsl:value-of select="@file"/>|</xsl:for-each>',
  '  </xsl:template>',
  '</xsl:stylesheet>',
  '',
].join('\n');

/** xsltproc as the provider runs it (`--nomkdir --nonet --nowrite`), on files in `dir`. */
function xsltproc(dir: string, stylesheet: string, xml: string, name: string): string {
  const xsltproc = requireTool('xsltproc', 'xsltproc');
  fs.writeFileSync(path.join(dir, `${name}.xsl`), stylesheet);
  fs.writeFileSync(path.join(dir, `${name}.xml`), xml);
  const r = spawnSync(xsltproc, ['--nomkdir', '--nonet', '--nowrite', path.join(dir, `${name}.xsl`), path.join(dir, `${name}.xml`)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`xsltproc failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

describe('consoleLogDir: the log file name reaches libvirt as written (real terraform, real xsltproc)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-lab-xslt-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a directory holding XPath ({…}), markup (&<>"\') and terraform sequences is logged to verbatim, nothing evaluated', () => {
    // GIVEN a file an XPath expression could read, and a log directory that would read it
    fs.writeFileSync(path.join(dir, 'secret.xml'), '<s>LEAKED</s>\n');
    const logDir = `/var/log/{document('${dir}/secret.xml')/s}/{1+1}/&amp;<x>"q"'a'/\${path.cwd}/%{if}`;
    const stack = new LvsDrLabStack(Testing.app(), 'test', { lab: { consoleLogDir: logDir } });
    const domain = Object.values(JSON.parse(Testing.synth(stack)).resource.libvirt_domain as Record<string, any>).find((d) => d.name === 'lvs-lab--rs-1');

    // WHEN terraform evaluates the stylesheet and xsltproc applies it to the domain, as the provider does
    const [stylesheet] = evaluateTerraformStrings([domain.xml.xslt]);
    const transformed = xsltproc(dir, stylesheet, DOMAIN_XML, 'domain');

    // THEN the serial console (only it) logs to exactly `<dir>/<domain>.log`, and no expression ran
    expect(xsltproc(dir, READ_LOG_FILE, transformed, 'read')).toBe(`serial=${logDir}/lvs-lab--rs-1.log|`);
    expect(transformed).not.toContain('LEAKED');
  });
});

describe('consoleLogDir and consoleLogFile: fails when …', () => {
  test.each([
    ['is relative', 'logs/lab'],
    ['is empty', ''],
    ['holds a newline', '/var/log/lab\n/etc'],
    ['holds a control character', '/var/log/\u0001lab'],
  ])('fails when consoleLogDir %s: a config problem naming the field, the value and what is allowed', (_, consoleLogDir) => {
    let error: unknown;
    try {
      new LvsDrLabStack(Testing.app(), 'test', { lab: { consoleLogDir } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LabConfigError);
    expect((error as LabConfigError).problems.map((p) => [p.rule, p.path, p.value])).toEqual([['console-log-dir', 'consoleLogDir', consoleLogDir]]);
    expect((error as LabConfigError).message).toMatch(/consoleLogDir: got .*, expected an absolute path without control characters/);
  });

  test('fails when a LabVm consoleLogFile has a control character (XML 1.0 cannot carry it)', () => {
    const props: LabVmProps = labVmFixture('vm', { consoleLogFile: '/var/log/a\u0007.log' });
    expect(() => Testing.synthScope((scope) => new LabVm(scope, 'vm', props))).toThrow(
      /LabVm vm: consoleLogFile "\/var\/log\/a\\u0007\.log" is not an absolute path without control characters/,
    );
  });

  test('doubles the braces of a LabVm consoleLogFile in the stylesheet (an attribute value template)', () => {
    const synthesized = Testing.synthScope((scope) => new LabVm(scope, 'vm', labVmFixture('vm', { consoleLogFile: '/var/log/{a}.log' })));
    expect(synthesized).toHaveResourceWithProperties(Domain, { xml: { xslt: expect.stringContaining('<log file="/var/log/{{a}}.log" append="on"/>') } });
  });
});
