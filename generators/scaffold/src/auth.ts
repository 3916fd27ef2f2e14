// `scaffold controller --auth bearer|basic|mtls`: HTTPS for the hook server (a cert-manager CA and
// certificate), Metacontroller's webhook credentials, and the Deployment's mounts and settings.
// Pure, in a module of its own beside the controller scaffold.
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IService } from "kubernetes-models/v1/Service";

/** How Metacontroller authenticates to the hook server (all three also serve HTTPS). */
export type ScaffoldAuth = "bearer" | "basic" | "mtls";

/** The auth modes, for `--auth` choices. */
export const SCAFFOLD_AUTH_MODES: readonly ScaffoldAuth[] = ["bearer", "basic", "mtls"];

const HTTPS_PORT = 8443;
const TLS_DIR = "/etc/metahook/tls";
const AUTH_DIR = "/etc/metahook/auth";
const CLIENT_CA_DIR = "/etc/metahook/client-ca";

/** Everything `--auth` adds to a scaffold. */
export interface AuthScaffold {
  /** The hook's webhook: HTTPS URL, CA bundle and credentials. */
  webhook(name: string, namespace: string, hook: string): { [key: string]: unknown };
  /** cert-manager Issuers and Certificates, for `deploy/tls.yaml`. */
  readonly certificates: readonly { [key: string]: unknown }[];
  /** Kustomization fields: the Secret of the credentials, generated from files the user writes. */
  readonly kustomization: { [key: string]: unknown };
  /** The walkthrough, for `deploy/AUTH.md`. */
  readonly readme: string;
}

function certificate(
  name: string,
  namespace: string,
  issuer: string,
  spec: { [key: string]: unknown },
) {
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: { name, namespace },
    spec: {
      secretName: name,
      // A fresh key at each renewal, so a leaked key expires with its certificate.
      privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
      issuerRef: { name: issuer, kind: "Issuer", group: "cert-manager.io" },
      ...spec,
    },
  };
}

function issuer(name: string, namespace: string, spec: { [key: string]: unknown }) {
  return { apiVersion: "cert-manager.io/v1", kind: "Issuer", metadata: { name, namespace }, spec };
}

/** The Secret Metacontroller reads credentials from, and the server mounts. */
export function authSecretName(name: string): string {
  return `${name}-auth`;
}

/**
 * What `--auth` adds: a self-signed CA and the hook Service's certificate from cert-manager
 * (`<name>-ca`, `<name>-tls`; with mtls also Metacontroller's client certificate `<name>-client`),
 * webhooks on `https://<name>.<namespace>.svc` with the CA bundle and the credentials
 * (`authorization` from `<name>-auth`'s `token`, or `basicAuth` from its `username`/`password`,
 * or `clientTLS`), and a walkthrough.
 */
export function authScaffold(mode: ScaffoldAuth, name: string, namespace: string): AuthScaffold {
  const ca = `${name}-ca`;
  const secret = authSecretName(name);
  const certificates = [
    issuer(`${name}-selfsigned`, namespace, { selfSigned: {} }),
    certificate(ca, namespace, `${name}-selfsigned`, { isCA: true, commonName: ca }),
    issuer(ca, namespace, { ca: { secretName: ca } }),
    certificate(`${name}-tls`, namespace, ca, {
      dnsNames: [`${name}.${namespace}.svc`, `${name}.${namespace}.svc.cluster.local`],
      usages: ["server auth", "digital signature"],
    }),
    ...(mode === "mtls"
      ? [
          certificate(`${name}-client`, namespace, ca, {
            commonName: "metacontroller",
            usages: ["client auth", "digital signature"],
          }),
        ]
      : []),
  ];
  const credentials =
    mode === "bearer"
      ? { authorization: { secretRef: { name: secret, namespace, key: "token" } } }
      : mode === "basic"
        ? {
            basicAuth: {
              secretRef: { name: secret, namespace },
              usernameKey: "username",
              passwordKey: "password",
            },
          }
        : { clientTLS: { secretRef: { name: `${name}-client`, namespace } } };
  const files =
    mode === "bearer"
      ? ["token=auth/token"]
      : mode === "basic"
        ? ["username=auth/username", "password=auth/password", "basic=auth/basic"]
        : [];
  return {
    webhook: (n, ns, hook) => ({
      url: `https://${n}.${ns}.svc/${n}/${hook}`,
      caBundle: { secretRef: { name: ca, namespace: ns, key: "ca.crt" } },
      ...credentials,
    }),
    certificates,
    kustomization:
      files.length === 0
        ? {}
        : {
            // No hash suffix: the controller's secretRef names the Secret, and kustomize does not
            // rewrite references in custom resources. The server re-reads the mounted files.
            secretGenerator: [{ name: secret, namespace, files }],
            generatorOptions: { disableNameSuffixHash: true },
          },
    readme: walkthrough(mode, name, namespace),
  };
}

/** Serves HTTPS with the cert-manager certificate and the credentials of `mode`. */
export function securedDeployment(deployment: IDeployment, mode: ScaffoldAuth, name: string): void {
  const pod = deployment.spec?.template.spec;
  const container = pod?.containers[0];
  if (!pod || !container) return;
  const env = (container.env ?? []).filter((e) => e.name !== "PORT");
  env.unshift({ name: "PORT", value: String(HTTPS_PORT) });
  env.push(
    { name: "METAHOOK_TLS_CERT", value: `${TLS_DIR}/tls.crt` },
    { name: "METAHOOK_TLS_KEY", value: `${TLS_DIR}/tls.key` },
  );
  const mounts = [
    ...(container.volumeMounts ?? []),
    { name: "tls", mountPath: TLS_DIR, readOnly: true },
  ];
  const volumes = [...(pod.volumes ?? []), { name: "tls", secret: { secretName: `${name}-tls` } }];
  if (mode === "mtls") {
    env.push({ name: "METAHOOK_CLIENT_CA", value: `${CLIENT_CA_DIR}/ca.crt` });
    mounts.push({ name: "client-ca", mountPath: CLIENT_CA_DIR, readOnly: true });
    // Only the CA certificate: the CA's key stays with cert-manager.
    volumes.push({
      name: "client-ca",
      secret: { secretName: `${name}-ca`, items: [{ key: "ca.crt", path: "ca.crt" }] },
    });
  } else {
    const file = mode === "bearer" ? "token" : "basic";
    env.push({
      name: mode === "bearer" ? "METAHOOK_AUTH_BEARER_FILE" : "METAHOOK_AUTH_BASIC_FILE",
      value: `${AUTH_DIR}/${file}`,
    });
    mounts.push({ name: "auth", mountPath: AUTH_DIR, readOnly: true });
    volumes.push({
      name: "auth",
      secret: { secretName: authSecretName(name), items: [{ key: file, path: file }] },
    });
  }
  container.env = env;
  container.volumeMounts = mounts;
  pod.volumes = volumes;
  container.ports = [{ name: "https", containerPort: HTTPS_PORT, protocol: "TCP" }];
  // Probes need no credentials (the server leaves /healthz and /readyz open); kubelet does not
  // verify the certificate.
  if (container.readinessProbe?.httpGet) {
    container.readinessProbe.httpGet = { path: "/readyz", port: "https", scheme: "HTTPS" };
  }
  if (container.livenessProbe?.httpGet) {
    container.livenessProbe.httpGet = { path: "/healthz", port: "https", scheme: "HTTPS" };
  }
}

/** The Service on 443, to the container's HTTPS port. */
export function securedService(service: IService): void {
  if (service.spec) {
    service.spec.ports = [{ name: "https", port: 443, targetPort: "https", protocol: "TCP" }];
  }
}

function walkthrough(mode: ScaffoldAuth, name: string, namespace: string): string {
  const secretStep =
    mode === "bearer"
      ? `2. Write the token Metacontroller sends (kustomize makes the Secret \`${name}-auth\` from it;
   keep \`deploy/auth/\` out of git):

   \`\`\`sh
   mkdir -p deploy/auth && openssl rand -hex 32 | tr -d '\\n' > deploy/auth/token
   \`\`\``
      : mode === "basic"
        ? `2. Write the user and password Metacontroller sends (kustomize makes the Secret
   \`${name}-auth\` from them; the server reads \`basic\`, Metacontroller \`username\` and
   \`password\`; keep \`deploy/auth/\` out of git):

   \`\`\`sh
   mkdir -p deploy/auth && user=metacontroller && pass=$(openssl rand -hex 24)
   printf %s "$user" > deploy/auth/username && printf %s "$pass" > deploy/auth/password
   printf %s "$user:$pass" > deploy/auth/basic
   \`\`\``
        : `2. Nothing to write: cert-manager issues Metacontroller's client certificate
   (\`${name}-client\`) from the same CA the server trusts (\`${name}-ca\`).`;
  return `# Hook server security: ${mode === "mtls" ? "mutual TLS" : mode === "bearer" ? "bearer token" : "basic auth"} over HTTPS

Generated by \`metahook scaffold controller --auth ${mode}\`. The hook server serves HTTPS only,
with a certificate cert-manager issues for \`${name}.${namespace}.svc\` (\`deploy/tls.yaml\`: a
self-signed CA \`${name}-ca\`, the server certificate \`${name}-tls\`${mode === "mtls" ? `, Metacontroller's client certificate \`${name}-client\`` : ""}), and re-reads the certificate
and credentials when cert-manager or you change them, without a restart. Metacontroller (4.16 or
later) verifies the server with the CA bundle from \`${name}-ca\` and ${mode === "mtls" ? "presents its client certificate (`webhook.clientTLS`)" : mode === "bearer" ? "sends `Authorization: Bearer <token>` (`webhook.authorization`)" : "sends basic auth (`webhook.basicAuth`)"}; a call without it gets 401. \`/healthz\` and
\`/readyz\` stay open for the kubelet, \`/metrics\` for Prometheus (\`METAHOOK_PROTECT_METRICS=1\`
guards it).

## Walkthrough on kind (not run in CI: it needs Docker and a cluster)

1. A cluster with cert-manager and Metacontroller (v4.16 or later):

   \`\`\`sh
   kind create cluster --name ${name}
   kubectl apply -f https://github.com/cert-manager/cert-manager/releases/latest/download/cert-manager.yaml
   kubectl -n cert-manager rollout status deploy/cert-manager-webhook
   kubectl apply -k https://github.com/metacontroller/metacontroller/manifests/production
   \`\`\`

${secretStep}

3. Build, load and deploy:

   \`\`\`sh
   docker build -t ${name}:dev . && kind load docker-image ${name}:dev --name ${name}
   kubectl apply -k deploy
   kubectl -n ${namespace} rollout status deploy/${name}
   \`\`\`

4. Check that the server refuses a caller without credentials (expect 401), and that
   Metacontroller gets through (its logs show no webhook errors once you create a parent):

   \`\`\`sh
   kubectl -n ${namespace} port-forward svc/${name} 8443:443 &
   curl -sk -o /dev/null -w '%{http_code}\\n' -X POST -H 'content-type: application/json' \\
     -d '{}' https://127.0.0.1:8443/${name}/sync
   kubectl -n metacontroller logs sts/metacontroller | grep -i webhook
   \`\`\`

Metacontroller reads the Secrets named in the controller's webhooks (\`${name}-ca\`${mode === "mtls" ? `, \`${name}-client\`` : `, \`${name}-auth\``}) in
\`${namespace}\`; its default RBAC allows that. To rotate ${mode === "mtls" ? "the certificates, let cert-manager renew them (or `cmctl renew`)" : "the credentials, rewrite the files under `deploy/auth/` and `kubectl apply -k deploy` again"}: the server picks up the change within a second.
`;
}
