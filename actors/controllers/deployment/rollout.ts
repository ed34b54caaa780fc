/**
 * The Deployment controller's writes (sync.go, rolling.go, recreate.go): finding or
 * creating the new ReplicaSet with its revision, scaling ReplicaSets with ScalingReplicaSet
 * events, proportional scaling, the rolling and recreate steps, history clean-up and the
 * status write. `Rollout` holds one sync's view; every scale replaces the ReplicaSet in it.
 */
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { newControllerRef } from '../../../machines/controllers/owners.ts';
import * as u from '../../../machines/controllers/deployment/util.ts';
import { getCondition, hasProgressDeadline, newCondition, sameStatus, setCondition, FoundNewRSReason, NewReplicaSetReason } from '../../../machines/controllers/deployment/status.ts';
import { isAlreadyExists, isNotFound, targets, unwrap } from '../../client/index.ts';
import type { ControllerContext } from '../framework.ts';
import { clone } from '../../../api/json.ts';

export class Rollout {
  /** The revision annotation changed locally and is not written yet. */
  metaDirty = false;
  constructor(
    readonly cc: ControllerContext,
    public d: Deployment,
    public rss: ReplicaSet[],
  ) {}

  get ns(): string {
    return this.d.metadata?.namespace ?? 'default';
  }
  now(): number {
    return this.cc.actor.clock.now();
  }

  /** UpdateStatus with the Deployment as it is now (status and annotations). */
  async writeStatus(): Promise<void> {
    if (this.metaDirty) {
      // Kubernetes keeps annotation edits made through /status; this apiserver does not, so they go first as an
      // update (what system:controller:deployment-controller may do; a conflict retries the sync).
      const p = await this.cc.api.update(targets.deployments(this.ns, this.d.metadata?.name), this.d);
      const patched = unwrap(p).object;
      this.d = { ...this.d, metadata: { ...this.d.metadata, resourceVersion: patched.metadata?.resourceVersion, annotations: patched.metadata?.annotations } };
      this.metaDirty = false;
    }
    const r = await this.cc.api.updateStatus(targets.deployments(this.ns, this.d.metadata?.name), this.d);
    this.d = unwrap(r).object;
  }

  /** getAllReplicaSetsAndSyncRevision: [newRS, oldRSs]; the new one is created when asked. */
  async newAndOld(create: boolean): Promise<[ReplicaSet | undefined, ReplicaSet[]]> {
    const existing = u.findNewReplicaSet(this.d, this.rss);
    const old = this.rss.filter((rs) => rs !== existing);
    const newRevision = u.maxRevision(old) + 1;
    if (existing) {
      const copy = clone(existing);
      const changed = u.setNewReplicaSetAnnotations(this.d, copy, newRevision, true);
      if (changed || (copy.spec?.minReadySeconds ?? 0) !== (this.d.spec?.minReadySeconds ?? 0)) {
        copy.spec = { ...copy.spec!, minReadySeconds: this.d.spec?.minReadySeconds ?? 0 };
        const updated = unwrap(await this.cc.api.update(targets.replicasets(this.ns, copy.metadata?.name), copy)).object;
        this.replace(updated);
        return [updated, old];
      }
      let needs = this.setRevision(copy.metadata?.annotations?.[u.REVISION] ?? '');
      if (hasProgressDeadline(this.d) && !getCondition(this.d.status, 'Progressing')) {
        setCondition((this.d.status ??= {}), newCondition('Progressing', 'True', FoundNewRSReason, `Found new replica set "${copy.metadata?.name}"`, this.now()));
        needs = true;
      }
      if (needs) await this.writeStatus();
      return [existing, old];
    }
    if (!create) return [undefined, old];
    const hash = u.computeHash(this.d.spec?.template, this.d.status?.collisionCount);
    const template = clone(this.d.spec!.template);
    template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [u.POD_TEMPLATE_HASH]: hash } };
    const sel = this.d.spec!.selector;
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: `${this.d.metadata?.name}-${hash}`, namespace: this.ns, labels: template.metadata.labels, ownerReferences: [newControllerRef(this.d, 'apps/v1', 'Deployment')] },
      spec: { replicas: 0, minReadySeconds: this.d.spec?.minReadySeconds ?? 0, selector: { ...sel, matchLabels: { ...sel.matchLabels, [u.POD_TEMPLATE_HASH]: hash } }, template },
    };
    rs.spec!.replicas = u.newRSNewReplicas(this.d, [...old, rs], rs);
    u.setNewReplicaSetAnnotations(this.d, rs, newRevision, false);
    const r = await this.cc.api.create(targets.replicasets(this.ns), rs);
    let createdRS: ReplicaSet;
    if (!r.ok && isAlreadyExists(r.status)) {
      const cur = unwrap(await this.cc.api.get(targets.replicasets(this.ns, rs.metadata?.name)));
      if (!u.equalIgnoreHash(cur.spec?.template, this.d.spec?.template)) {
        // A hash collision: another template owns the name; the next hash includes collisionCount.
        (this.d.status ??= {}).collisionCount = (this.d.status.collisionCount ?? 0) + 1;
        await this.writeStatus();
        throw new Error(`hash collision for replica set ${rs.metadata?.name}`);
      }
      createdRS = cur;
    } else if (!r.ok) {
      const msg = `Failed to create new replica set "${rs.metadata?.name}": ${r.status.message}`;
      if (hasProgressDeadline(this.d)) {
        setCondition((this.d.status ??= {}), newCondition('Progressing', 'False', 'ReplicaSetCreateError', msg, this.now()));
        await this.writeStatus();
      }
      void this.cc.events.record(this.d, 'Warning', 'ReplicaSetCreateError', msg);
      unwrap(r);
      throw new Error(msg);
    } else {
      createdRS = r.value.object;
      if (u.replicas(createdRS) > 0) void this.cc.events.record(this.d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${createdRS.metadata?.name} to ${u.replicas(createdRS)}`);
    }
    this.rss.push(createdRS);
    let needs = this.setRevision(String(newRevision));
    if (r.ok && hasProgressDeadline(this.d)) {
      setCondition((this.d.status ??= {}), newCondition('Progressing', 'True', NewReplicaSetReason, `Created new replica set "${createdRS.metadata?.name}"`, this.now()));
      needs = true;
    }
    if (needs) await this.writeStatus();
    return [createdRS, old];
  }

  /** SetDeploymentRevision on the local copy; true when it changed. */
  setRevision(rev: string): boolean {
    const a = ((this.d.metadata ??= {}).annotations ??= {});
    if (a[u.REVISION] === rev) return false;
    a[u.REVISION] = rev;
    this.metaDirty = true;
    return true;
  }

  replace(rs: ReplicaSet): void {
    this.rss = this.rss.map((x) => (x.metadata?.uid === rs.metadata?.uid ? rs : x));
  }
  fresh(rs: ReplicaSet): ReplicaSet {
    return this.rss.find((x) => x.metadata?.uid === rs.metadata?.uid) ?? rs;
  }

  /** scaleReplicaSetAndRecordEvent: true when the size changed. */
  async scale(rs0: ReplicaSet, to: number): Promise<boolean> {
    const rs = this.fresh(rs0);
    const desired = this.d.spec?.replicas ?? 1;
    const copy = clone(rs);
    const from = u.replicas(rs);
    const annotations = u.setReplicasAnnotations(copy, desired, desired + u.maxSurge(this.d));
    if (from === to && !annotations) return false;
    copy.spec = { ...copy.spec!, replicas: to };
    const updated = unwrap(await this.cc.api.update(targets.replicasets(this.ns, rs.metadata?.name), copy)).object;
    this.replace(updated);
    if (from !== to) void this.cc.events.record(this.d, 'Normal', 'ScalingReplicaSet', `Scaled ${from < to ? 'up' : 'down'} replica set ${rs.metadata?.name} to ${to} from ${from}`);
    return from !== to;
  }

  /** cleanupDeployment: delete the oldest dead ReplicaSets beyond revisionHistoryLimit. */
  async cleanup(old: ReplicaSet[]): Promise<void> {
    const limit = this.d.spec?.revisionHistoryLimit;
    if (limit === undefined) return;
    const alive = old.map((rs) => this.fresh(rs)).filter((rs) => !rs.metadata?.deletionTimestamp);
    const diff = alive.length - limit;
    if (diff <= 0) return;
    alive.sort(u.byRevision);
    for (const rs of alive.slice(0, diff)) {
      if ((rs.status?.replicas ?? 0) !== 0 || u.replicas(rs) !== 0 || (rs.metadata?.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
      const r = await this.cc.api.delete(targets.replicasets(this.ns, rs.metadata?.name));
      if (!r.ok && !isNotFound(r)) unwrap(r);
    }
  }

  /** Writes `status` unless it is what the Deployment already has. */
  async putStatus(status: NonNullable<Deployment['status']>): Promise<boolean> {
    if (sameStatus(this.d.status, status)) return false;
    this.d = { ...this.d, status };
    await this.writeStatus();
    return true;
  }
}
