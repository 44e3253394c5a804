import { LIBVIRT_URI_ALLOWED, libvirtUriReason } from '../libvirt-uri';
import { LabSchema } from '../schema';
import { type LabRule } from './read';

const LIBVIRT_URI_PATTERN = new RegExp(LabSchema.properties.libvirtUri.pattern as string, 'u');

/** `libvirtUri`: nothing that runs a program or turns a check off when virsh or the provider opens it (libvirt-uri.ts). */
export const libvirtUriRule: LabRule = {
  id: 'libvirt-uri',
  check: ({ raw }, report) => {
    const uri = raw.libvirtUri;
    if (typeof uri !== 'string' || !LIBVIRT_URI_PATTERN.test(uri)) return; // malformed: a schema problem
    const reason = libvirtUriReason(uri);
    if (reason) report('libvirtUri', uri, LIBVIRT_URI_ALLOWED, reason);
  },
};
