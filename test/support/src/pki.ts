import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A certificate and its key, as PEM. */
export interface Pem {
  cert: string;
  key: string;
}

/**
 * Certificates made for one test run with openssl: two CAs, server certificates for 127.0.0.1
 * signed by the first, and a client certificate from each CA.
 */
export interface TestPki {
  dir: string;
  ca: Pem;
  otherCa: Pem;
  /** A fresh server certificate for 127.0.0.1 with this serial, signed by `ca`. */
  server(serial: number): Pem;
  client: Pem;
  /** Signed by `otherCa`: not trusted by a server whose client CA is `ca`. */
  strangerClient: Pem;
  cleanup(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
}

function read(dir: string, name: string): Pem {
  return {
    cert: readFileSync(join(dir, `${name}.crt`), "utf8"),
    key: readFileSync(join(dir, `${name}.key`), "utf8"),
  };
}

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

function makeCa(dir: string, name: string): Pem {
  openssl(
    dir,
    ["req", "-x509", ...EC, "-keyout", `${name}.key`, "-out", `${name}.crt`].concat([
      "-subj",
      `/CN=${name}`,
      "-days",
      "2",
    ]),
  );
  return read(dir, name);
}

function makeLeaf(dir: string, name: string, ca: string, serial: number, ext: string): Pem {
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(dir, [
    "req",
    ...EC,
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.csr`,
    "-subj",
    `/CN=${name}`,
  ]);
  openssl(dir, [
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    `${ca}.crt`,
    "-CAkey",
    `${ca}.key`,
    "-set_serial",
    String(serial),
    "-days",
    "2",
    "-out",
    `${name}.crt`,
    "-extfile",
    `${name}.ext`,
  ]);
  return read(dir, name);
}

/** Generates the test PKI in a temporary directory (openssl is on every CI image we use). */
export function makePki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), "metahook-pki-"));
  const ca = makeCa(dir, "ca");
  const otherCa = makeCa(dir, "other-ca");
  const serverExt = "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n";
  const clientExt = "extendedKeyUsage=clientAuth\n";
  return {
    dir,
    ca,
    otherCa,
    server: (serial) => makeLeaf(dir, `server-${serial}`, "ca", serial, serverExt),
    client: makeLeaf(dir, "client", "ca", 100, clientExt),
    strangerClient: makeLeaf(dir, "stranger", "other-ca", 200, clientExt),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
