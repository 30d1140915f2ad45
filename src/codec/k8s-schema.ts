/**
 * The Kubernetes message types walt knows, read by protobufjs from the
 * trimmed .proto files in proto/k8s/ (package names and field numbers as
 * Kubernetes' generated.proto define them). Parsed once, on first use: only
 * `--decode-values k8s-full` needs them, and only it loads this module.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/** proto/k8s/ beside dist/ (and src/): the same place in a clone and in the npm package. */
const PROTO_DIR = fileURLToPath(new URL('../../../proto/k8s/', import.meta.url));

/** The protobuf package of each API group and version walt's .proto files declare. */
const PACKAGES: Readonly<Record<string, string>> = {
  v1: 'k8s.io.api.core.v1',
  'apps/v1': 'k8s.io.api.apps.v1',
  'batch/v1': 'k8s.io.api.batch.v1',
  'rbac.authorization.k8s.io/v1': 'k8s.io.api.rbac.v1',
  'coordination.k8s.io/v1': 'k8s.io.api.coordination.v1',
  'discovery.k8s.io/v1': 'k8s.io.api.discovery.v1',
};

export const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';
const OBJECT_META = `.${META}.ObjectMeta`;

export interface K8sSchema {
  /** runtime.Unknown, the envelope after "k8s\0". */
  unknown: protobuf.Type;
  /**
   * Any object whose kind walt does not declare: only field 1, ObjectMeta,
   * which every Kubernetes kind has first; the rest decodes by number.
   */
  anyObject: protobuf.Type;
  /** The declared type of a kind, or undefined. */
  typeOf(apiVersion: string, kind: string): protobuf.Type | undefined;
}

let loaded: K8sSchema | undefined;

export function k8sSchema(): K8sSchema {
  if (loaded) return loaded;
  const root = new protobuf.Root();
  root.loadSync(
    readdirSync(PROTO_DIR)
      .filter((f) => f.endsWith('.proto'))
      .map((f) => PROTO_DIR + f),
    // Kubernetes' field names are already the JSON names; protobufjs would otherwise re-case them.
    { keepCase: true },
  );
  const anyObject = new protobuf.Type('AnyObject').add(new protobuf.Field('metadata', 1, OBJECT_META));
  root.define('walt').add(anyObject);
  root.resolveAll();
  const typeOf = (apiVersion: string, kind: string): protobuf.Type | undefined => {
    const pkg = PACKAGES[apiVersion];
    const t = pkg && /^[A-Z]\w*$/.test(kind) ? root.lookup(`${pkg}.${kind}`) : null;
    // A kind is a message whose field 1 is its ObjectMeta (PodSpec is a message, not a kind).
    return t instanceof protobuf.Type && t.fieldsById[1]?.resolvedType?.fullName === OBJECT_META ? t : undefined;
  };
  loaded = { unknown: root.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown'), anyObject, typeOf };
  return loaded;
}
