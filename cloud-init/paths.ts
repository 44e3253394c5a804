/**
 * Where the rendered files live on the guests. Shared by the user-data renderers, the
 * constructs (which pass `notifyScriptPath`) and the e2e harness (which reads the state file).
 */

/** keepalived's configuration file (the Debian unit reads this path). */
export const KEEPALIVED_CONF_PATH = '/etc/keepalived/keepalived.conf';

/** Default location of the keepalived notify hook on the directors. */
export const DEFAULT_NOTIFY_SCRIPT_PATH = '/usr/local/sbin/lvs-lab-notify';

/** Append-only history of VRRP transitions (`timestamp type name state priority`). */
export const NOTIFY_LOG_FILE = '/var/log/keepalived-state.log';

/** Current VRRP state (`MASTER`, `BACKUP`, ...) of the most recent instance transition. */
export const NOTIFY_STATE_FILE = '/run/keepalived/state';

/** IPVS modules are loaded at boot from here. */
export const IPVS_MODULES_LOAD_PATH = '/etc/modules-load.d/lvs-dr-lab.conf';
/** The directors' IPVS sysctls (applied at boot after the modules above are loaded). */
export const IPVS_SYSCTL_PATH = '/etc/sysctl.d/90-lvs-dr-ipvs.conf';

/** The real server's VIP/ARP script (`start|stop|status`). */
export const REAL_SERVER_SCRIPT_PATH = '/usr/local/sbin/lvs-real-server';

/** systemd unit running the real-server script once at boot. */
export const REAL_SERVER_UNIT_NAME = 'lvs-real-server.service';
export const REAL_SERVER_UNIT_PATH = `/etc/systemd/system/${REAL_SERVER_UNIT_NAME}`;

/** Persisted ARP sysctls of the real servers. */
export const ARP_SYSCTL_PATH = '/etc/sysctl.d/90-lvs-dr-arp.conf';

/** nginx site of the demo web service (Debian layout). */
export const NGINX_SITE_NAME = 'lvs-lab';
export const NGINX_SITE_PATH = `/etc/nginx/sites-available/${NGINX_SITE_NAME}`;
export const NGINX_SITE_ENABLED_PATH = `/etc/nginx/sites-enabled/${NGINX_SITE_NAME}`;

/** Static files (e.g. a large file for bandwidth tests) are served from here. */
export const WEB_ROOT = '/var/www/lvs-lab';

/** The nftables ruleset Debian's nftables.service loads at boot (firewall-mark services). */
export const NFTABLES_CONF_PATH = '/etc/nftables.conf';

/** The directors' sorry site (Debian layout), answering 503 when a service loses its quorum. */
export const SORRY_SITE_NAME = 'lvs-lab-sorry';
export const SORRY_SITE_PATH = `/etc/nginx/sites-available/${SORRY_SITE_NAME}`;
export const SORRY_SITE_ENABLED_PATH = `/etc/nginx/sites-enabled/${SORRY_SITE_NAME}`;

/** The self-signed certificate and key generated at first boot for the TLS ports. */
export const TLS_CERT_PATH = '/etc/ssl/certs/lvs-lab.crt';
export const TLS_KEY_PATH = '/etc/ssl/private/lvs-lab.key';

/** A file in the web root: `GET /ready` answers 200 while it exists (remove it to fail a readiness check). */
export const READY_FILE_NAME = 'ready';

/** The dpkg apt runs while cloud-init installs the lab's packages at first boot (first-boot-install.ts). */
export const FIRST_BOOT_DPKG_PATH = '/usr/local/lib/lvs-lab/first-boot-dpkg';
/** The apt setting that points apt at it for that install; runcmd removes both. */
export const FIRST_BOOT_APT_CONF_PATH = '/etc/apt/apt.conf.d/00lvs-lab-first-boot';
/** Written by cloud-init at the end of every boot's final stage: absent only until the first boot has finished. */
export const CLOUD_INIT_BOOT_FINISHED_PATH = '/var/lib/cloud/instance/boot-finished';
