import { fail, pass, whyFailed, type DoctorCheck, type LabContext } from '../check';

/** The first four bytes of every qcow2 image. */
const QCOW2_MAGIC = Buffer.from('QFI\xfb', 'latin1');

/**
 * `image.source`: terraform's libvirt provider reads it on this machine (whatever the libvirt
 * URI): a local file must exist, be readable by this user and be a qcow2 image; a URL's host must
 * resolve (nothing is downloaded here: the deploy downloads it).
 */
export const imageCheck: DoctorCheck<LabContext> = {
  id: 'image',
  run: ({ host, lab }) => {
    const source = lab.image.source;
    if (/^https?:\/\//i.test(source)) {
      const url = new URL(source);
      const proxy = proxyFor(url.protocol, host.env);
      const target = proxy ? new URL(proxy).hostname : url.hostname;
      const via = proxy ? `the proxy ${target} (${url.protocol === 'https:' ? 'HTTPS' : 'HTTP'}_PROXY)` : url.hostname;
      const r = host.run('getent', ['ahosts', target]);
      if (r.error === 'ENOENT') return fail('image', 'getent is not installed, so the image host cannot be looked up', 'apt-get install libc-bin');
      if (r.status === 0) return pass('image', `${via} resolves (${r.stdout.split(/\s+/)[0]}); the deploy downloads ${source}`);
      return fail('image', `${via} does not resolve on this machine (${r.status === 2 ? 'no such host' : whyFailed(r)}): the deploy could not download image.source ${source}`,
        `check DNS and the network (\`getent ahosts ${target}\`); behind a proxy, set HTTPS_PROXY; offline, download the image elsewhere and set image.source to its path`);
    }
    const stat = host.stat(source);
    if (!stat) return fail('image', `image.source ${source} does not exist`, 'correct image.source, or put the image there (e2e/image/build-image.sh builds one with the packages baked in)');
    if (stat.kind !== 'file') return fail('image', `image.source ${source} is a ${stat.kind}, not a file`, 'name a qcow2 image file in image.source');
    if (!host.canAccess(source, 'read')) {
      return fail('image', `this user cannot read image.source ${source}: the provider reads it as this user and uploads it to libvirt`,
        `\`chmod a+r ${source}\`, or deploy as its owner`);
    }
    const head = host.readHead(source, QCOW2_MAGIC.length);
    if (!head.equals(QCOW2_MAGIC)) {
      return fail('image', `image.source ${source} is not a qcow2 image (it starts with ${JSON.stringify(head.toString('latin1'))}): the base volume is qcow2, the VMs would not boot`,
        `convert it: \`qemu-img convert -O qcow2 ${source} <image>.qcow2\`, and name that file in image.source`);
    }
    return pass('image', `${source} is a readable qcow2 image`);
  },
};

/** The proxy the provider's HTTP client would use for this scheme (Go's ProxyFromEnvironment reads these); NO_PROXY is not weighed. */
function proxyFor(protocol: string, env: NodeJS.ProcessEnv): string | undefined {
  const names = protocol === 'https:' ? ['HTTPS_PROXY', 'https_proxy'] : ['HTTP_PROXY', 'http_proxy'];
  const value = names.map((name) => env[name]?.trim()).find((v) => v);
  if (!value) return undefined;
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`).href;
  } catch {
    return undefined;
  }
}
