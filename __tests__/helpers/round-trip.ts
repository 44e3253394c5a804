/**
 * Does a YAML document mean exactly the object it was serialized from, as cloud-init reads it?
 * cloud-init loads user-data and network-config with PyYAML (YAML 1.1, `cloudinit.safeyaml`):
 * a character it reads as a line break (U+0085, U+2028, U+2029, `\r`) or a style it resolves
 * otherwise would give the VM another config than the one rendered, with no error anywhere.
 * One Python process for every document, like the batched `cloud-init schema` (batch.ts).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import {
  renderDirectorUserData, renderNetworkConfig, renderRealServerUserData, type DirectorUserDataModel, type RealServerUserDataModel, type StaticInterface,
} from '../../cloud-init';
import { networkConfig } from '../../cloud-init/network-config';
import { directorCloudConfig, realServerCloudConfig } from '../../cloud-init/user-data';
import { requireTool } from './tools';

/*
 * safeyaml.load is what util.load_yaml (cloud-init's user-data and network-config loader) calls;
 * load_yaml swallows YAMLError and returns its default, so the error is taken from here. JSON
 * out with ensure_ascii: lone surrogates and every code point survive the trip back to JS.
 */
const LOAD_PY = `
import json, sys
from cloudinit import safeyaml
out = []
for f in sys.argv[2:]:
    try:
        out.append({"value": safeyaml.load(open(f, encoding="utf-8").read())})
    except Exception as e:
        out.append({"error": "%s: %s" % (type(e).__name__, e)})
with open(sys.argv[1], "w") as result:
    json.dump(out, result, ensure_ascii=True)
`;

export interface RenderedYaml {
  /** What the document is, for the failure message. */
  readonly label: string;
  /** The document as written (a `#cloud-config` header is a YAML comment). */
  readonly text: string;
  /** The object it was serialized from. */
  readonly object: unknown;
}

/** A document as cloud-init's loader reads it: the value, or the error. */
export type Loaded = { readonly value: unknown } | { readonly error: string };

/** How PyYAML reads each text: the value, or the error. */
export function loadWithCloudInit(texts: readonly string[]): Loaded[] {
  requireTool('cloud-init', 'cloud-init');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvslab-rt-'));
  try {
    // Written as UTF-8, as the seed ISO carries it (a lone surrogate becomes U+FFFD there too).
    const files = texts.map((text, i) => {
      const file = path.join(dir, `${i}.yaml`);
      fs.writeFileSync(file, text);
      return file;
    });
    const outFile = path.join(dir, 'loaded.json');
    const result = spawnSync('/usr/bin/python3', ['-c', LOAD_PY, outFile, ...files], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
    if (result.status !== 0) throw new Error(`cloud-init's YAML loader failed (${result.status}): ${result.stderr}`);
    return JSON.parse(fs.readFileSync(outFile, 'utf8')) as Loaded[];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Every document that cloud-init's loader does not read back as exactly its object (an extra
 * key, another string, another type, or an error), each with a short account of the first
 * difference. Empty: every document round-trips. `loaded`: what the loader made of the texts, when
 * a batch already read them (cloudInitSchemaAll does).
 */
export function roundTripFailures(documents: readonly RenderedYaml[], loaded: readonly Loaded[] = loadWithCloudInit(documents.map((d) => d.text))): string[] {
  if (documents.length === 0) throw new Error('roundTripFailures: no documents (a vacuous check)');
  return documents.flatMap((doc, i) => {
    const got = loaded[i];
    if ('error' in got) return [`${doc.label}: cloud-init's loader refused it: ${got.error}`];
    const plain = JSON.parse(JSON.stringify(doc.object)) as unknown;
    if (isDeepStrictEqual(got.value, plain)) return [];
    return [`${doc.label}: cloud-init reads ${firstDifference(plain, got.value)}`];
  });
}

/** Where `got` first differs from `want`, e.g. `users[0].ssh_authorized_keys[0]: "a b" instead of "a\u2028b"`. */
function firstDifference(want: unknown, got: unknown, at = ''): string {
  const show = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v)?.slice(0, 200));
  if (typeof want === 'object' && want !== null && typeof got === 'object' && got !== null && Array.isArray(want) === Array.isArray(got)) {
    const keys = [...new Set([...Object.keys(want), ...Object.keys(got)])];
    for (const key of keys) {
      const w = (want as Record<string, unknown>)[key];
      const g = (got as Record<string, unknown>)[key];
      if (!isDeepStrictEqual(w, g)) return firstDifference(w, g, Array.isArray(want) ? `${at}[${key}]` : at ? `${at}.${key}` : key);
    }
  }
  return `${at || '(document)'}: ${show(got)} instead of ${show(want)}`;
}

/** Rendered documents with the objects they serialize, kept for one `roundTripFailures` over a test file. */
export interface RenderRecorder {
  /** `renderDirectorUserData(m)`, kept with `directorCloudConfig(m)`. */
  director(m: DirectorUserDataModel): string;
  /** `renderRealServerUserData(m)`, kept with `realServerCloudConfig(m)`. */
  realServer(m: RealServerUserDataModel): string;
  /** `renderNetworkConfig(iface)`, kept with `networkConfig(iface)`. */
  network(iface: StaticInterface): string;
  /** Keeps a document rendered elsewhere (a seed read back from its ISO) with the object it must mean. */
  keep(label: string, text: string, object: unknown): string;
  readonly documents: readonly RenderedYaml[];
}

/**
 * Renders through the public renderers and keeps every text with its object, so a test file
 * ends with one batched check that cloud-init read all of them back exactly.
 */
export function recordRenders(): RenderRecorder {
  const documents: RenderedYaml[] = [];
  const keep = (label: string, text: string, object: unknown) => {
    documents.push({ label, text, object });
    return text;
  };
  return {
    director: (m) => keep(`director ${m.hostname} user-data`, renderDirectorUserData(m), directorCloudConfig(m)),
    realServer: (m) => keep(`real server ${m.hostname} user-data`, renderRealServerUserData(m), realServerCloudConfig(m)),
    network: (iface) => keep(`network-config of ${iface.address}`, renderNetworkConfig(iface), networkConfig(iface)),
    keep,
    documents,
  };
}

/** THEN cloud-init's loader reads every recorded document back as exactly its object. */
export function expectRoundTrips(recorder: RenderRecorder): void {
  expect(roundTripFailures(recorder.documents)).toEqual([]);
}
