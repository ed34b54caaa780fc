// Types of proxy-client.mjs (plain JavaScript so that it runs in a pod without a loader).
import type { Agent } from 'node:http';

export interface Target { host: string; port: number; hostHeader?: string }
export interface Tally { latencies: number[]; errors: number }
/** One target set's figures from a pod. */
export interface PodPathResult { requests_per_s: number; p50_ms: number; p99_ms: number; errors: number; cpu_us_client: number }
export type PodPair = [PodPathResult, PodPathResult];

export function get(agent: Agent, t: Target): Promise<number>;
export function load(targets: Target[], agent: Agent, seconds: number, concurrency: number, into: Tally): Promise<void>;
export function main(o: { a: Target[]; b: Target[]; seconds: number; slice: number; concurrency: number }): Promise<void>;
