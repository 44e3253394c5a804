import { keepalivedLine } from '../../cloud-init/keepalived-text';
import { miscCheckCommand } from '../../cloud-init/keepalived-virtual-server';
import { KEEPALIVED_MAX_LINE } from '../../cloud-init/keepalived-limits';
import { defaultAddress6 } from '../derive';
import { canonicalIpv6, parseIpv6 } from '../ipv6';
import { type LabRule, section, join, entries, portsOf } from './read';

const KEEPALIVED_LINE_WHY = `keepalived reads lines of at most ${KEEPALIVED_MAX_LINE} characters (MAXBUF 1024) and reads the rest of a longer one as a line ` +
  'of its own: its config test fails, or a fragment becomes a directive';

const isWords = (value: unknown): value is string[] => Array.isArray(value) && value.length > 0 && value.every((w) => typeof w === 'string');

/**
 * keepalived-line: every keepalived.conf line that carries user text (the director check, the
 * quorum hooks, each real server's misc check with its placeholders expanded) fits keepalived's
 * line buffer, measured as the renderer writes it.
 */
export const keepalivedLineRule: LabRule = {
  id: 'keepalived-line',
  check: (input, report) => {
    const checkLine = (at: string, value: unknown, line: string, what: string, room: string, where = '') => {
      if (line.length <= KEEPALIVED_MAX_LINE) return;
      report(at, value, `${what} at most ${KEEPALIVED_MAX_LINE} characters: ${where}this one is ${line.length} (${room})`, KEEPALIVED_LINE_WHY);
    };
    const room = (line: (words: string[]) => string) => `the words and the spaces between them: at most ${KEEPALIVED_MAX_LINE - line([]).length} characters`;
    const command = section(section(input.lab.vrrp).trackScript).command;
    if (isWords(command)) {
      checkLine('vrrp.trackScript.command', command, keepalivedLine.trackScript(command), 'a command whose keepalived.conf line (script "...") is', room(keepalivedLine.trackScript));
    }
    const realServers = entries(input, 'realServers');
    const ipv6Cidr = section(input.lab.network).ipv6Cidr;
    entries(input, 'services').forEach((service) => {
      for (const key of ['up', 'down'] as const) {
        const hook = section(service.quorum)[key];
        const line = (words: string[]) => keepalivedLine.quorumHook(key, words);
        if (isWords(hook)) checkLine(join(service.at, `quorum.${key}`), hook, line(hook), `a command whose keepalived.conf line (quorum_${key} "...") is`, room(line));
      }
      const misc = section(service.miscCheck).command;
      const port = portsOf(service)[0];
      if (!isWords(misc) || port === undefined) return;
      const ipv6 = parseIpv6(service.vip) !== undefined;
      // The longest line over the service's real servers, placeholders expanded for each.
      const lines = realServers
        .filter((rs) => typeof rs.name === 'string' && (!Array.isArray(service.realServers) || service.realServers.includes(rs.name)))
        .flatMap((rs) => {
          const address = ipv6
            ? canonicalIpv6(rs.address6 ?? (typeof ipv6Cidr === 'string' && typeof rs.address === 'string' ? defaultAddress6(ipv6Cidr, rs.address) : undefined))
            : (typeof rs.address === 'string' ? rs.address : undefined);
          if (address === undefined) return [];
          return [{ rs, line: keepalivedLine.miscPath(miscCheckCommand({ command: misc, timeoutSec: 1 }, { address, port, name: rs.name as string })) }];
        });
      const longest = lines.reduce<(typeof lines)[number] | undefined>((a, l) => (a === undefined || l.line.length > a.line.length ? l : a), undefined);
      if (longest) {
        checkLine(join(service.at, 'miscCheck.command'), misc, longest.line, 'a command whose keepalived.conf line (misc_path "...", 12 spaces deep) is',
          'shorten the words or the real server names', `once its placeholders are expanded for ${longest.rs.at} (${String(longest.rs.name)}), `);
      }
    });
    // The notification addresses need no check here: the schema caps them at 254 characters
    // (the longest email address), far inside the line.
  },
};
