/**
 * Unknown fields of a CustomResourceDefinition: the Go struct walk, except for the
 * `x-kubernetes-*` extensions of JSONSchemaProps, which Kubernetes' Go type has as fields
 * and kubernetes-types (the source of the generated field table) does not.
 */
import type { CustomFields, KubeObject } from '../kinds/info.ts';
import { clone } from '../json.ts';
import { strictPath, walkSchema } from '../validation/schema/walk.ts';

const CRD_STRUCT = 'apiextensions/v1.CustomResourceDefinition';
const isExtension = (key: string): boolean => key.startsWith('x-kubernetes-');

function visit(obj: unknown, onUnknown: (path: string, parent: Record<string, unknown>, key: string) => void): void {
  walkSchema(CRD_STRUCT, obj, { unknown: (at, parent, key) => void (isExtension(key) || onUnknown(strictPath(at.steps), parent, key)) });
}

/** The CRD kind's field rules: typed by the walk, x-kubernetes-* extensions known. */
export const customResourceDefinitionFields: CustomFields = {
  typed: true,
  unknownFields(obj: KubeObject): string[] {
    const out: string[] = [];
    visit(obj, (p) => out.push(p));
    return out;
  },
  prune(obj: KubeObject): KubeObject {
    const copy = clone(obj);
    visit(copy, (_p, parent, key) => delete parent[key]);
    return copy;
  },
};
