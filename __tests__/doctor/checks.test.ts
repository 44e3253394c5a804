import { resolveLabConfig, type LabConfig } from '../../lab';
import type { DoctorCheck, DoctorResult, LabContext, ToolContext } from '../../doctor/check';
import { bridgeCheck } from '../../doctor/checks/bridge';
import { bridgeNetfilterCheck } from '../../doctor/checks/bridge-netfilter';
import { imageCheck } from '../../doctor/checks/image';
import { kvmCheck, kvmProbeArgs } from '../../doctor/checks/kvm';
import { libvirtCheck } from '../../doctor/checks/libvirt';
import { poolDirectoryCheck } from '../../doctor/checks/pool-directory';
import { providerCheck } from '../../doctor/checks/provider';
import { sshKeyCheck } from '../../doctor/checks/ssh-key';
import { subnetCheck } from '../../doctor/checks/subnet';
import { terraformCheck } from '../../doctor/checks/terraform';
import { virshDacLabel } from '../../doctor/parse';
import {
  DOMCAPS_COMMAND, HOME, HOST_ROUTES, KVM_PROBE_COMMAND, MIRRORED, OPERATOR_KEY, ROOT, SEABIOS_NO_BOOT, fakeHost, healthyHost, type FakeHostSpec,
} from '../helpers/doctor-host';

/*
 * Every check against a machine where the lab deploys (healthyHost) and against that machine with
 * one thing broken: each failure must say what is wrong and give the fix.
 */

/** Runs a lab check for `config` on the machine `spec` describes. */
function check(c: DoctorCheck<LabContext>, spec: FakeHostSpec, config: LabConfig = {}): DoctorResult {
  return c.run({ host: fakeHost(spec), root: ROOT, config, lab: resolveLabConfig(config) });
}

function checkTool(c: DoctorCheck<ToolContext>, spec: FakeHostSpec): DoctorResult {
  return c.run({ host: fakeHost(spec), root: ROOT });
}

/** healthyHost() with `change` applied. */
function host(change: (spec: FakeHostSpec) => void): FakeHostSpec {
  const spec = healthyHost();
  change(spec);
  return spec;
}

const BRIDGED: LabConfig = { network: { mode: 'bridge', bridge: 'br0' }, image: { preinstalled: true } };
/** `ip -j -d link show dev <name>` of a link. */
const link = (name: string, flags: string[], kind?: string) =>
  ({ stdout: JSON.stringify([{ ifindex: 5, ifname: name, flags, mtu: 1500, operstate: flags.includes('UP') ? 'UP' : 'DOWN', ...(kind ? { linkinfo: { info_kind: kind } } : {}) }]) });

describe('libvirt', () => {
  test('passes when `virsh -c URI version` answers, naming the hypervisor', () => {
    expect(check(libvirtCheck, healthyHost())).toEqual({ id: 'libvirt', ok: true, summary: 'qemu:///system answers (QEMU 7.2.0)' });
  });

  test('fails when libvirtd is not running: the socket error, and how to start it', () => {
    const r = check(libvirtCheck, host((h) => {
      h.commands['virsh -c qemu:///system version'] = {
        status: 1,
        stderr: "error: failed to connect to the hypervisor\nerror: Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory\n",
      };
    }));
    expect(r.ok).toBe(false);
    expect(r.problem).toBe("libvirt at qemu:///system does not answer: Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory");
    expect(r.fix).toContain('sudo systemctl enable --now libvirtd');
  });

  test('fails when libvirtd is not running on a machine without systemd: start the daemons by hand', () => {
    const r = check(libvirtCheck, host((h) => {
      delete h.dirs['/run/systemd/system'];
      h.commands['virsh -c qemu:///system version'] = {
        status: 1,
        stderr: "error: failed to connect to the hypervisor\nerror: Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory\n",
      };
    }));
    expect(r.fix).toBe('start libvirtd: `sudo virtlogd -d && sudo libvirtd -d` (this machine runs no systemd; not installed: `apt-get install libvirt-daemon-system`)');
  });

  test('fails when nothing listens on the socket libvirtUri names: start the libvirtd of that socket, or use the system one', () => {
    const uri = 'qemu+unix:///system?socket=/srv/lab/libvirt-sock';
    const r = check(libvirtCheck, host((h) => {
      h.commands[`virsh -c ${uri} version`] = {
        status: 1,
        stderr: "error: failed to connect to the hypervisor\nerror: Failed to connect socket to '/srv/lab/libvirt-sock': Connection refused\n",
      };
    }), { libvirtUri: uri });
    expect(r.problem).toBe(`libvirt at ${uri} does not answer: Failed to connect socket to '/srv/lab/libvirt-sock': Connection refused`);
    expect(r.fix).toBe('nothing listens on /srv/lab/libvirt-sock: start the libvirtd whose libvirtd.conf puts its socket there (unix_sock_dir), ' +
      "or use the machine's own libvirtd: set libvirtUri to qemu:///system and start it: `sudo systemctl enable --now libvirtd`");
  });

  test('fails when the user may not manage the system libvirt: join group libvirt', () => {
    const r = check(libvirtCheck, host((h) => {
      h.commands['virsh -c qemu:///system version'] = {
        status: 1,
        stderr: "error: failed to connect to the hypervisor\nerror: authentication unavailable: no polkit agent available to authenticate action 'org.libvirt.unix.manage'\n",
      };
    }));
    expect(r.problem).toContain('authentication unavailable');
    expect(r.fix).toContain('sudo usermod -aG libvirt me');
  });

  test('fails when virsh is not installed', () => {
    const r = check(libvirtCheck, host((h) => delete h.commands['virsh -c qemu:///system version']));
    expect([r.ok, r.fix]).toEqual([false, expect.stringContaining('apt-get install libvirt-clients')]);
  });

  test('fails when libvirtd hangs', () => {
    const r = check(libvirtCheck, host((h) => { h.commands['virsh -c qemu:///system version'] = { error: 'ETIMEDOUT' }; }));
    expect(r.problem).toBe('libvirt at qemu:///system does not answer: no answer within the time limit');
    expect(r.fix).toContain('systemctl restart libvirtd');
  });

  test('fails when libvirtd hangs on a machine without systemd: kill it and start it again', () => {
    const r = check(libvirtCheck, host((h) => {
      delete h.dirs['/run/systemd/system'];
      h.commands['virsh -c qemu:///system version'] = { error: 'ETIMEDOUT' };
    }));
    expect(r.fix).toContain('`sudo libvirtd -d`');
    expect(r.fix).not.toContain('systemctl');
  });

  test('fails for a remote libvirt that does not answer: check that host, not this one', () => {
    const uri = 'qemu+ssh://root@kvm1.example/system';
    const r = check(libvirtCheck, host((h) => { h.commands[`virsh -c ${uri} version`] = { status: 1, stderr: 'error: Cannot recv data: Connection reset by peer\n' }; }), { libvirtUri: uri });
    expect(r.problem).toBe(`libvirt at ${uri} does not answer: Cannot recv data: Connection reset by peer`);
    expect(r.fix).toContain('libvirtd runs on that host');
  });
});

describe('kvm', () => {
  test('passes when /dev/kvm opens and a guest as libvirt starts the lab\'s runs its firmware to the boot prompt', () => {
    const r = check(kvmCheck, healthyHost());
    expect(r).toMatchObject({ id: 'kvm', ok: true });
    expect(r.summary).toMatch(/^\/dev\/kvm opens, and a KVM guest as libvirt starts the lab's \(\/usr\/bin\/qemu-system-x86_64, CPU host-passthrough, machine pc-i440fx-7\.2\) runs its firmware to the boot prompt \(\d+\.\d s\)$/);
  });

  test('probes with qemu\'s own emulator and default machine when libvirt does not say', () => {
    const h = fakeHost(host((s) => {
      s.commands[DOMCAPS_COMMAND] = { status: 1, stderr: 'error: failed to connect to the hypervisor\n' };
      s.commands[['qemu-system-x86_64', ...kvmProbeArgs()].join(' ')] = { stdout: SEABIOS_NO_BOOT };
    }));
    const r = kvmCheck.run({ host: h, root: ROOT, config: {}, lab: resolveLabConfig({}) });
    expect(r.ok).toBe(true);
    expect(r.summary).toContain('(qemu-system-x86_64, CPU host-passthrough, machine default)');
    expect(h.calls).toContain('qemu-system-x86_64 -accel kvm -cpu host -m 64 -nodefaults -display none -no-reboot -boot reboot-timeout=0 ' +
      '-chardev stdio,id=firmware -device isa-debugcon,iobase=0x402,chardev=firmware');
  });

  test('fails when /dev/kvm opens but qemu aborts on the host CPU model (a nested paravirtual KVM): domainType qemu', () => {
    const r = check(kvmCheck, host((s) => {
      s.commands[KVM_PROBE_COMMAND] = {
        status: null,
        stderr: 'qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69\nqemu-system-x86_64: ../../target/i386/kvm/kvm.c:3183: kvm_buf_set_msrs: Assertion `ret == cpu->kvm_msr_buf->nmsrs\' failed.\n',
      };
    }));
    expect(r.ok).toBe(false);
    expect(r.problem).toBe("/dev/kvm opens, but a KVM guest as libvirt starts the lab's (/usr/bin/qemu-system-x86_64, CPU host-passthrough, machine pc-i440fx-7.2) " +
      'does not run here: it failed: qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69 (a nested or paravirtual KVM that cannot run the host\'s CPU model)');
    expect(r.fix).toContain('`domainType: qemu`');
  });

  test('fails when the probe guest hangs: the deploy would hang', () => {
    const r = check(kvmCheck, host((s) => { s.commands[KVM_PROBE_COMMAND] = { error: 'ETIMEDOUT', stdout: 'SeaBIOS (version 1.16.2-debian-1.16.2-1)\n' }; }));
    expect(r.ok).toBe(false);
    expect(r.problem).toContain('it did not get through its firmware within 8 s');
    expect(r.fix).toContain('`domainType: qemu`');
  });

  test('fails when qemu ends before the firmware says it found nothing to boot', () => {
    const r = check(kvmCheck, host((s) => { s.commands[KVM_PROBE_COMMAND] = { stdout: 'SeaBIOS (version 1.16.2-debian-1.16.2-1)\n' }; }));
    expect(r.ok).toBe(false);
    expect(r.problem).toContain('it ended before its firmware reached the boot prompt');
  });

  test('warns when the emulator is not installed: no guest was tried', () => {
    const r = check(kvmCheck, host((s) => { delete s.commands[KVM_PROBE_COMMAND]; }));
    expect(r).toMatchObject({ ok: true, warning: '/dev/kvm opens, but /usr/bin/qemu-system-x86_64 is not installed here, so no KVM guest was tried' });
  });

  test('fails when domainType is kvm and there is no /dev/kvm: suggests domainType qemu', () => {
    const r = check(kvmCheck, host((h) => delete h.devices['/dev/kvm']));
    expect(r.ok).toBe(false);
    expect(r.problem).toContain('/dev/kvm does not exist');
    expect(r.fix).toContain('`domainType: qemu`');
  });

  test('passes without /dev/kvm when domainType is qemu', () => {
    const r = check(kvmCheck, host((h) => delete h.devices['/dev/kvm']), { domainType: 'qemu' });
    expect(r).toEqual({ id: 'kvm', ok: true, summary: 'not needed: domainType is qemu (software emulation)' });
  });

  test('passes when this user may not open /dev/kvm but the system libvirt starts the VMs (no guest tried: this user cannot)', () => {
    const h = fakeHost(host((s) => { s.devices['/dev/kvm'] = { openError: 'EACCES' }; }));
    const r = kvmCheck.run({ host: h, root: ROOT, config: {}, lab: resolveLabConfig({}) });
    expect(r.ok).toBe(true);
    expect(h.calls).toEqual([]);
  });

  test('fails when this user may not open /dev/kvm and a session libvirt runs the VMs as this user', () => {
    const r = check(kvmCheck, host((h) => { h.devices['/dev/kvm'] = { openError: 'EACCES' }; }), { libvirtUri: 'qemu:///session', storagePoolPath: `${HOME}/pools/lab` });
    expect(r.ok).toBe(false);
    expect(r.fix).toContain('usermod -aG kvm');
  });

  test('fails when /dev/kvm exists but does not open (ENXIO: no virtualization behind it)', () => {
    const r = check(kvmCheck, host((h) => { h.devices['/dev/kvm'] = { openError: 'ENXIO' }; }));
    expect(r.problem).toBe('/dev/kvm cannot be opened (ENXIO): KVM is not usable here');
  });
});

describe('terraform', () => {
  test('passes with terraform 1.5 or newer', () => {
    expect(checkTool(terraformCheck, healthyHost())).toEqual({ id: 'terraform', ok: true, summary: 'terraform 1.9.8' });
  });

  test('uses TERRAFORM_BINARY_NAME', () => {
    const r = checkTool(terraformCheck, host((h) => {
      h.env.TERRAFORM_BINARY_NAME = 'tofu';
      h.commands['tofu version -json'] = { stdout: '{"terraform_version":"1.8.5","platform":"linux_amd64"}' };
    }));
    expect(r.summary).toBe('tofu (TERRAFORM_BINARY_NAME) 1.8.5');
  });

  test('takes tofu when only OpenTofu is installed, as scripts/provider.sh does', () => {
    const r = checkTool(terraformCheck, host((h) => {
      delete h.commands['terraform version -json'];
      h.commands['tofu version -json'] = { stdout: '{"terraform_version":"1.8.5"}' };
    }));
    expect(r.summary).toBe('tofu 1.8.5');
  });

  test('fails when neither terraform nor tofu is installed', () => {
    const r = checkTool(terraformCheck, host((h) => delete h.commands['terraform version -json']));
    expect(r.problem).toBe('neither terraform nor OpenTofu (tofu) is installed');
    expect(r.fix).toContain('TERRAFORM_BINARY_NAME=tofu');
  });

  test('fails when TERRAFORM_BINARY_NAME names a program that is not installed', () => {
    const r = checkTool(terraformCheck, host((h) => { h.env.TERRAFORM_BINARY_NAME = 'tofu'; }));
    expect(r.problem).toBe('tofu (TERRAFORM_BINARY_NAME) is not installed');
  });

  test('fails when terraform is older than 1.5', () => {
    const r = checkTool(terraformCheck, host((h) => { h.commands['terraform version -json'] = { stdout: '{"terraform_version":"1.4.6"}' }; }));
    expect(r.problem).toBe('terraform is version 1.4.6; the lab needs 1.5.0 or newer');
  });
});

describe('provider', () => {
  test('passes when the mirror serves the pinned provider to the engine in use', () => {
    expect(checkTool(providerCheck, healthyHost()).summary).toBe(`dmacvicar/libvirt 0.8.3 is in the mirror for terraform (${MIRRORED.terraform})`);
  });

  test('looks in the OpenTofu registry\'s part of the mirror for tofu', () => {
    const r = checkTool(providerCheck, host((h) => {
      delete h.files[MIRRORED.terraform];
      h.env.TERRAFORM_BINARY_NAME = 'tofu';
      h.commands['tofu version -json'] = { stdout: '{"terraform_version":"1.8.5"}' };
    }));
    expect(r.summary).toBe(`dmacvicar/libvirt 0.8.3 is in the mirror for tofu (${MIRRORED.tofu})`);
  });

  test('warns (a deploy builds it) when the mirror is not built and Go is installed', () => {
    const r = checkTool(providerCheck, host((h) => delete h.files[MIRRORED.terraform]));
    expect(r.ok).toBe(true);
    expect(r.warning).toContain('`npm run deploy` builds it first');
    expect(r.fix).toBe('`bash scripts/provider.sh build` builds it now');
  });

  test('warns that it checked nothing where the package is installed in another app (no scripts/provider.sh: the app\'s terraform installs the provider)', () => {
    const r = checkTool(providerCheck, host((h) => delete h.files[`${ROOT}/scripts/provider.sh`]));
    expect(r.ok).toBe(true);
    expect(r.warning).toBe("not checked: outside a checkout of this project, terraform installs dmacvicar/libvirt 0.8.3 (pinned by the stack) when your app's stack is initialized");
    expect(r.fix).toContain('TF_CLI_CONFIG_FILE');
  });

  test('fails when the mirror is not built and there is no Go to build it', () => {
    const r = checkTool(providerCheck, host((h) => {
      delete h.files[MIRRORED.terraform];
      delete h.commands['go version'];
    }));
    expect(r.ok).toBe(false);
    expect(r.fix).toContain('then `bash scripts/provider.sh build`');
  });
});

describe('bridge', () => {
  test('passes without looking in nat mode', () => {
    expect(check(bridgeCheck, healthyHost()).summary).toBe('not needed: network.mode is nat (libvirt creates the bridge)');
  });

  test('passes when the bridge exists and is up', () => {
    const r = check(bridgeCheck, host((h) => { h.commands['ip -j -d link show dev br0'] = link('br0', ['BROADCAST', 'UP'], 'bridge'); }), BRIDGED);
    expect(r).toEqual({ id: 'bridge', ok: true, summary: 'br0 is a bridge and up' });
  });

  test('fails when the bridge does not exist: how to create it', () => {
    const r = check(bridgeCheck, host((h) => { h.commands['ip -j -d link show dev br0'] = { status: 1, stderr: 'Device "br0" does not exist.\n' }; }), BRIDGED);
    expect(r.problem).toBe('network.bridge br0 does not exist on this host (Device "br0" does not exist.)');
    expect(r.fix).toContain('ip link add br0 type bridge && ip link set br0 up');
  });

  test('fails when network.bridge names a NIC that is not a bridge', () => {
    const r = check(bridgeCheck, host((h) => { h.commands['ip -j -d link show dev br0'] = link('br0', ['UP']); }), BRIDGED);
    expect(r.problem).toBe('network.bridge br0 is a plain network interface, not a bridge');
  });

  test('fails when the bridge is down', () => {
    const r = check(bridgeCheck, host((h) => { h.commands['ip -j -d link show dev br0'] = link('br0', ['BROADCAST'], 'bridge'); }), BRIDGED);
    expect([r.ok, r.fix]).toEqual([false, '`ip link set br0 up`']);
  });
});

describe('subnet', () => {
  const routes = (extra: object[]) => ({ stdout: JSON.stringify([...HOST_ROUTES, ...extra]) });

  test('passes when no host route overlaps the lab', () => {
    expect(check(subnetCheck, healthyHost()).summary).toBe('no host route overlaps network.cidr 192.168.20.0/24');
  });

  test('fails when the host\'s LAN covers the lab subnet, and suggests a free one', () => {
    const r = check(subnetCheck, host((h) => { h.commands['ip -j route'] = routes([{ dst: '192.168.0.0/16', dev: 'eth1', protocol: 'kernel', scope: 'link', flags: [] }]); }));
    expect(r.ok).toBe(false);
    expect(r.problem).toMatch(/^network\.cidr 192\.168\.20\.0\/24 overlaps the host's route 192\.168\.0\.0\/16 dev eth1: libvirt refuses/);
    expect(r.fix).toContain('e.g. 10.100.0.0/24');
  });

  test('fails on another bridge with the same subnet (a Docker network)', () => {
    const r = check(subnetCheck, host((h) => { h.commands['ip -j route'] = routes([{ dst: '192.168.20.0/24', dev: 'br-1f2e3d4c5b6a', protocol: 'kernel', scope: 'link', flags: ['linkdown'] }]); }));
    expect(r.problem).toContain('192.168.20.0/24 dev br-1f2e3d4c5b6a');
    expect(r.fix).toContain('e.g. 192.168.100.0/24');
  });

  test('passes on the route of the lab\'s own network, deployed before', () => {
    const r = check(subnetCheck, host((h) => {
      h.commands['ip -j route'] = routes([{ dst: '192.168.20.0/24', dev: 'virbr1', protocol: 'kernel', scope: 'link', prefsrc: '192.168.20.1', flags: [] }]);
      h.commands['virsh -c qemu:///system net-info lvs-lab-net'] = { stdout: 'Name:           lvs-lab-net\nActive:         yes\nBridge:         virbr1\n' };
    }));
    expect(r.ok).toBe(true);
  });

  test('in bridge mode, the bridge\'s own route is the lab\'s; one through another NIC is not', () => {
    const own = host((h) => { h.commands['ip -j route'] = routes([{ dst: '192.168.20.0/24', dev: 'br0', flags: [] }]); });
    expect(check(subnetCheck, own, BRIDGED).ok).toBe(true);
    const other = host((h) => { h.commands['ip -j route'] = routes([{ dst: '192.168.20.0/24', dev: 'eth1', flags: [] }]); });
    expect(check(subnetCheck, other, BRIDGED).problem).toContain('the host would send traffic for the lab out of eth1 instead of br0');
  });

  test('a host route (/32) inside the lab counts', () => {
    const r = check(subnetCheck, host((h) => { h.commands['ip -j route'] = routes([{ dst: '192.168.20.140', dev: 'tun0', flags: [] }]); }));
    expect(r.problem).toContain('192.168.20.140/32 dev tun0');
  });
});

describe('bridge-netfilter', () => {
  const netfilterOn = (rules: string) => (h: FakeHostSpec) => {
    h.commands['sysctl -n net.bridge.bridge-nf-call-iptables'] = { stdout: '1\n' };
    h.commands['iptables -S'] = { stdout: rules };
  };
  const DOCKER_RULES = ['-P INPUT ACCEPT', '-P FORWARD DROP', '-P OUTPUT ACCEPT', '-N DOCKER', '-N DOCKER-USER', '-A FORWARD -j DOCKER-USER', '-A DOCKER-USER -j RETURN', ''].join('\n');

  test('passes in nat mode (libvirt accepts its own bridge\'s frames)', () => {
    expect(check(bridgeNetfilterCheck, host(netfilterOn(DOCKER_RULES))).ok).toBe(true);
  });

  test('passes when br_netfilter is not loaded', () => {
    expect(check(bridgeNetfilterCheck, healthyHost(), BRIDGED).summary).toContain('br_netfilter is not loaded');
  });

  test('fails on a Docker host: bridge-nf-call-iptables=1 and FORWARD policy DROP drop the bridged lab silently', () => {
    const r = check(bridgeNetfilterCheck, host(netfilterOn(DOCKER_RULES)), BRIDGED);
    expect(r.ok).toBe(false);
    expect(r.problem).toContain('(policy DROP, as Docker sets it): the VMs would boot, but no lab traffic would pass, silently');
    expect(r.fix).toContain('`iptables -I DOCKER-USER -i br0 -o br0 -j ACCEPT`');
    expect(r.fix).toContain('`sysctl -w net.bridge.bridge-nf-call-iptables=0`');
  });

  test('passes when a rule accepts the bridge\'s frames', () => {
    const rules = DOCKER_RULES.replace('-A DOCKER-USER -j RETURN', '-A DOCKER-USER -i br0 -o br0 -j ACCEPT\n-A DOCKER-USER -j RETURN');
    expect(check(bridgeNetfilterCheck, host(netfilterOn(rules)), BRIDGED).ok).toBe(true);
  });

  test('passes when FORWARD accepts', () => {
    expect(check(bridgeNetfilterCheck, host(netfilterOn('-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n')), BRIDGED).summary)
      .toBe('net.bridge.bridge-nf-call-iptables=1, FORWARD policy ACCEPT');
  });

  describe('the legacy tables beside the nf_tables ones (iptables-nft says they exist)', () => {
    const ACCEPTING = '-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n';
    const legacyToo = (legacyRules: string) => (h: FakeHostSpec) => {
      netfilterOn('')(h);
      h.commands['iptables -S'] = { stdout: ACCEPTING, stderr: '# Warning: iptables-legacy tables present, use iptables-legacy to see them\n' };
      h.commands['iptables-legacy -S'] = { stdout: legacyRules };
    };

    test('fails when their FORWARD policy is DROP, though iptables itself accepts: the rule goes there', () => {
      const r = check(bridgeNetfilterCheck, host(legacyToo(DOCKER_RULES)), BRIDGED);
      expect(r.ok).toBe(false);
      expect(r.problem).toBe('br_netfilter passes the frames bridged through br0 to iptables (net.bridge.bridge-nf-call-iptables=1) and the FORWARD chain ' +
        'of the legacy tables (iptables-legacy) drops them (policy DROP, as Docker sets it): the VMs would boot, but no lab traffic would pass, silently');
      expect(r.fix).toMatch(/^accept the bridge's frames: `iptables-legacy -I DOCKER-USER -i br0 -o br0 -j ACCEPT`; or /);
    });

    test('passes when both accept, naming both', () => {
      expect(check(bridgeNetfilterCheck, host(legacyToo(ACCEPTING)), BRIDGED).summary)
        .toBe('net.bridge.bridge-nf-call-iptables=1, iptables: FORWARD policy ACCEPT, iptables-legacy: FORWARD policy ACCEPT');
    });

    test('are not listed when iptables-nft does not say they exist (iptables-legacy -S would create them)', () => {
      const h = fakeHost(host(netfilterOn(ACCEPTING)));
      bridgeNetfilterCheck.run({ host: h, root: ROOT, config: BRIDGED, lab: resolveLabConfig(BRIDGED) });
      expect(h.calls).not.toContain('iptables-legacy -S');
    });
  });

  test('warns when iptables cannot be read as this user', () => {
    const r = check(bridgeNetfilterCheck, host((h) => {
      netfilterOn('')(h);
      h.commands['iptables -S'] = { status: 4, stderr: 'iptables v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)\n' };
    }), BRIDGED);
    expect([r.ok, r.fix]).toEqual([true, 'run the doctor as root to check: `sudo npm run lvs-lab -- doctor`']);
    expect(r.warning).toContain('Permission denied (you must be root)');
  });
});

describe('pool-directory', () => {
  const POOL = '/var/lib/libvirt/images/lvs-lab';
  /** The secmodels of `virsh capabilities` (libvirt 9.0) with the DAC base label `label`. */
  const capabilities = (label: string) => [
    '<capabilities>', '  <host>',
    '    <secmodel>', '      <model>none</model>', '      <doi>0</doi>', '    </secmodel>',
    '    <secmodel>', '      <model>dac</model>', '      <doi>0</doi>',
    `      <baselabel type='kvm'>${label}</baselabel>`, `      <baselabel type='qemu'>${label}</baselabel>`, '    </secmodel>',
    '  </host>', '</capabilities>', '',
  ].join('\n');

  test('passes when the directory does not exist yet', () => {
    expect(check(poolDirectoryCheck, healthyHost()).summary).toBe(`${POOL} does not exist yet: libvirt creates it`);
  });

  test('passes when it holds only this lab\'s volumes', () => {
    const r = check(poolDirectoryCheck, host((h) => { h.dirs[POOL] = { entries: ['lvs-lab-base.qcow2'] }; }));
    expect(r.summary).toBe(`${POOL} exists and holds nothing but this lab's volumes`);
  });

  test('fails when it holds a file the lab did not create (the synth-time rule, reported before the deploy)', () => {
    const r = check(poolDirectoryCheck, host((h) => { h.dirs[POOL] = { entries: ['notes.txt', 'lvs-lab-base.qcow2'] }; }));
    expect(r.ok).toBe(false);
    expect(r.problem).toContain('it holds notes.txt, which this lab did not create');
  });

  test('fails when it holds the volumes of lab lvs-lab and the lab is lvs: a name prefix is not the lab\'s own', () => {
    const r = check(poolDirectoryCheck, host((h) => { h.dirs[POOL] = { entries: ['lvs-lab-base.qcow2', 'lvs-lab--rs-1.qcow2', 'lvs-base.qcow2'] }; }),
      { name: 'lvs', storagePoolPath: POOL });
    expect(r.ok).toBe(false);
    expect(r.problem).toContain('it holds lvs-lab--rs-1.qcow2, lvs-lab-base.qcow2, which this lab did not create');
  });

  test('fails when libvirt\'s qemu user cannot enter a directory on the way (a pool in a 0700 home)', () => {
    const r = check(poolDirectoryCheck, healthyHost(), { storagePoolPath: `${HOME}/pools/lab` });
    expect(r.problem).toBe(
      `libvirt starts the VMs as libvirt-qemu (uid 64055), which cannot enter ${HOME} (mode 0700, owner uid 1000): the first domain would fail to open its disk (Permission denied)`,
    );
    expect(r.fix).toBe(`let libvirt-qemu enter it: \`chmod o+x ${HOME}\` (or only that user: \`setfacl -m u:64055:x ${HOME}\`), ` +
      'or choose a storagePoolPath of the lab\'s own that libvirt can use, such as the default /var/lib/libvirt/images/lvs-lab');
  });

  test('asks the running libvirtd whom it starts VMs as (its DAC label), before qemu.conf', () => {
    const asRoot = check(poolDirectoryCheck, host((h) => {
      h.commands['virsh -c qemu:///system capabilities'] = { stdout: capabilities('+0:+0') };
    }), { storagePoolPath: `${HOME}/pools/lab` });
    expect(asRoot.ok).toBe(true); // root enters any directory

    const asQemu = check(poolDirectoryCheck, host((h) => {
      h.files['/etc/libvirt/qemu.conf'] = { content: 'user = "root"\n' }; // this machine's file, not that libvirtd's
      h.commands['virsh -c qemu:///system capabilities'] = { stdout: capabilities('+64055:+108') };
      h.commands['id -nu 64055'] = { stdout: 'libvirt-qemu\n' };
      h.commands['id -G 64055'] = { stdout: '64055 108\n' };
    }), { storagePoolPath: `${HOME}/pools/lab` });
    expect(asQemu.problem).toMatch(new RegExp(`^libvirt starts the VMs as libvirt-qemu \\(uid 64055\\), which cannot enter ${HOME} `));
  });

  test('virshDacLabel: the DAC label of the lab\'s domain type; other security models\' labels ignored', () => {
    const xml = capabilities('+107:+107').replace('<model>none</model>', '<model>selinux</model>')
      .replace('<doi>0</doi>', "<doi>0</doi>\n      <baselabel type='kvm'>system_u:system_r:svirt_t:s0</baselabel>")
      .replace("<baselabel type='qemu'>+107:+107", "<baselabel type='qemu'>+0:+0");
    expect(virshDacLabel(xml, 'kvm')).toEqual({ uid: 107, gid: 107 });
    expect(virshDacLabel(xml, 'qemu')).toEqual({ uid: 0, gid: 0 });
    expect(virshDacLabel('<capabilities><host></host></capabilities>', 'kvm')).toBeUndefined();
  });

  test('a DAC label of a uid without a name here: the uid and the label\'s group', () => {
    const r = check(poolDirectoryCheck, host((h) => {
      h.commands['virsh -c qemu:///system capabilities'] = { stdout: capabilities('+4321:+1000') };
      h.dirs[HOME] = { ...h.dirs[HOME], mode: 0o710 }; // the label's group may enter
      h.dirs[`${HOME}/pools`] = { mode: 0o700, uid: 1000, gid: 1000 };
    }), { storagePoolPath: `${HOME}/pools/lab` });
    expect(r.problem).toContain(`libvirt starts the VMs as uid 4321, which cannot enter ${HOME}/pools (mode 0700, owner uid 1000)`);
    expect(r.fix).toMatch(/^let uid 4321 enter it: /);
  });

  test('reads the qemu user from qemu.conf', () => {
    const r = check(poolDirectoryCheck, host((h) => { h.files['/etc/libvirt/qemu.conf'] = { content: '#user = "libvirt-qemu"\nuser = "root"\n' }; }), { storagePoolPath: `${HOME}/pools/lab` });
    // VMs run as root there, which enters any directory
    expect(r.summary).toBe(`${HOME}/pools/lab does not exist yet: libvirt creates it`);
  });

  test('fails for a session libvirt when this user cannot create the directory', () => {
    const r = check(poolDirectoryCheck, host((h) => { h.dirs['/srv'] = { mode: 0o755 }; }), { libvirtUri: 'qemu:///session', storagePoolPath: '/srv/pools/lab' });
    expect(r.problem).toBe('qemu:///session runs libvirt as this user, which cannot create /srv/pools/lab in /srv');
  });

  test('passes without looking for a remote libvirt', () => {
    const r = check(poolDirectoryCheck, host((h) => { h.dirs[POOL] = { entries: ['notes.txt'] }; }), { libvirtUri: 'qemu+ssh://kvm1.example/system' });
    expect(r.summary).toBe(`not checked: ${POOL} is on the libvirt host (qemu+ssh://kvm1.example/system)`);
  });
});

describe('image', () => {
  const IMAGE = '/srv/images/debian.qcow2';
  const local: LabConfig = { image: { source: IMAGE } };

  test('passes when the URL\'s host resolves (nothing downloaded)', () => {
    const h = fakeHost(healthyHost());
    const r = imageCheck.run({ host: h, root: ROOT, config: {}, lab: resolveLabConfig({}) });
    expect(r.summary).toMatch(/^cloud\.debian\.org resolves \(151\.101\.2\.132\); the deploy downloads https:\/\/cloud\.debian\.org\//);
    expect(h.calls).toEqual(['getent ahosts cloud.debian.org']);
  });

  test('fails when the URL\'s host does not resolve', () => {
    const r = check(imageCheck, host((h) => { h.commands['getent ahosts cloud.debian.org'] = { status: 2 }; }));
    expect(r.problem).toMatch(/^cloud\.debian\.org does not resolve on this machine \(no such host\): the deploy could not download/);
    expect(r.fix).toContain('HTTPS_PROXY');
  });

  test('behind a proxy, looks up the proxy (the provider connects to it, not to the image host)', () => {
    const r = check(imageCheck, host((h) => {
      h.env.HTTPS_PROXY = 'http://proxy.example:3128';
      delete h.commands['getent ahosts cloud.debian.org'];
      h.commands['getent ahosts proxy.example'] = { stdout: '10.0.0.3  STREAM proxy.example\n' };
    }));
    expect(r.summary).toMatch(/^the proxy proxy\.example \(HTTPS_PROXY\) resolves \(10\.0\.0\.3\)/);
  });

  test('passes for a readable local qcow2 image', () => {
    const r = check(imageCheck, host((h) => { h.files[IMAGE] = { content: 'QFI\xfb\x00\x00\x00\x03' }; }), local);
    expect(r.summary).toBe(`${IMAGE} is a readable qcow2 image`);
  });

  test('fails when the local image does not exist', () => {
    expect(check(imageCheck, healthyHost(), local).problem).toBe(`image.source ${IMAGE} does not exist`);
  });

  test('fails when this user cannot read the local image', () => {
    const r = check(imageCheck, host((h) => { h.files[IMAGE] = { content: 'QFI\xfb', readable: false }; }), local);
    expect(r.fix).toBe(`\`chmod a+r ${IMAGE}\`, or deploy as its owner`);
  });

  test('fails when the local file is not a qcow2 image', () => {
    const r = check(imageCheck, host((h) => { h.files[IMAGE] = { content: '<html>404</html>' }; }), local);
    expect(r.problem).toContain('is not a qcow2 image (it starts with "<htm")');
    expect(r.fix).toContain(`qemu-img convert -O qcow2 ${IMAGE}`);
  });
});

describe('ssh-key', () => {
  test('passes with the config\'s keys, whatever is in ~/.ssh', () => {
    expect(check(sshKeyCheck, healthyHost(), { ssh: { authorizedKeys: [OPERATOR_KEY] } }).summary).toBe('1 key in ssh.authorizedKeys for user lab');
  });

  test('passes with the user\'s default key when the config lists none, and says which', () => {
    expect(check(sshKeyCheck, healthyHost()).summary)
      .toBe('the app is authorizing ~/.ssh/id_ed25519.pub for user lab (the lab config lists no ssh.authorizedKeys)');
  });

  test('warns (no failure: the lab deploys) when there is no key at all, with how to make one', () => {
    const r = check(sshKeyCheck, host((h) => delete h.files[`${HOME}/.ssh/id_ed25519.pub`]), { ssh: { user: 'ops' } });
    expect(r.ok).toBe(true);
    expect(r.warning).toBe(
      'the lab config lists no ssh.authorizedKeys and there is no ~/.ssh/id_ed25519.pub, ~/.ssh/id_ecdsa.pub, ~/.ssh/id_rsa.pub: the VMs will accept no login for user ops',
    );
    expect(r.fix).toContain('`ssh-keygen -t ed25519`');
  });
});
