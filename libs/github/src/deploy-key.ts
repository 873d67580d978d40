import { generateKeyPairSync, randomBytes } from 'node:crypto';

export interface DeployKey {
  /** One line for GitHub's "Deploy keys": `ssh-ed25519 AAAA... comment`. */
  publicKey: string;
  /** The private key in OpenSSH's own format, which `ssh -i` reads. */
  privateKey: string;
}

const KEY_TYPE = 'ssh-ed25519';

/** A fresh ed25519 pair in the formats GitHub and OpenSSH expect. */
export function generateDeployKey(comment: string): DeployKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pub = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url');
  const publicBlob = Buffer.concat([sshString(KEY_TYPE), sshString(pub)]);
  return {
    publicKey: `${KEY_TYPE} ${publicBlob.toString('base64')} ${comment}`,
    privateKey: openSshPrivateKey(publicBlob, pub, seed, comment),
  };
}

/** PROTOCOL.key of OpenSSH: an unencrypted `openssh-key-v1` container holding one key. */
function openSshPrivateKey(publicBlob: Buffer, pub: Buffer, seed: Buffer, comment: string): string {
  const check = randomBytes(4);
  const section = Buffer.concat([check, check, sshString(KEY_TYPE), sshString(pub), sshString(Buffer.concat([seed, pub])), sshString(comment)]);
  const padding = Buffer.from(Array.from({ length: (8 - (section.length % 8)) % 8 }, (_, i) => i + 1));
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0', 'latin1'),
    sshString('none'),
    sshString('none'),
    sshString(''),
    uint32(1),
    sshString(publicBlob),
    sshString(Buffer.concat([section, padding])),
  ]);
  const lines = body.toString('base64').match(/.{1,70}/g) ?? [];
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

function uint32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  return buffer;
}

function sshString(value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Buffer.concat([uint32(bytes.length), bytes]);
}
