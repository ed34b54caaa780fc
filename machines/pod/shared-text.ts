/**
 * One string per distinct text among the pod charts' Event messages and field paths.
 *
 * A template literal makes a new rope of its parts each time, and an Event keeps its message
 * and `involvedObject.fieldPath` in the store, the watch cache and its kubelet's correlator:
 * every pod of a Deployment says "Started container web" about `spec.containers{web}`, so
 * all of them can hold the same two strings. Bounded: a full table starts over (texts that
 * name a pod, as a back-off message does, come and go).
 */
const texts = new Map<string, string>();
const LIMIT = 4096;

/** `text`, or an equal string handed out before. */
export function sharedText(text: string): string {
  const had = texts.get(text);
  if (had !== undefined) return had;
  if (texts.size >= LIMIT) texts.clear();
  texts.set(text, text);
  return text;
}
