import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findJsonPath, parseJsonPath, readJsonPath, writeJsonPath } from '../../../api/crd/jsonpath.ts';

const o = {
  status: {
    phase: 'Ready',
    conditions: [
      { type: 'Ready', status: 'True', observedGeneration: 2 },
      { type: 'ConnectionTestSucceeded', status: 'False', observedGeneration: 1 },
      { type: 'Ready', status: 'Unknown' },
    ],
  },
};

test('a printer column filter finds the condition by type, with single or double quotes', () => {
  assert.is(readJsonPath(o, ".status.conditions[?(@.type=='Ready')].status"), 'True');
  assert.is(readJsonPath(o, '.status.conditions[?(@.type=="ConnectionTestSucceeded")].status'), 'False');
  assert.is(readJsonPath(o, '{.status.conditions[?(@.type == "Nope")].status}'), undefined);
  // Every match is found; a column prints the first (results[0][0] upstream).
  assert.equal(findJsonPath(o, ".status.conditions[?(@.type=='Ready')].status"), ['True', 'Unknown']);
});

test('filters compare numbers, test for presence, and a wildcard takes every item', () => {
  assert.equal(findJsonPath(o, '.status.conditions[?(@.observedGeneration>1)].type'), ['Ready']);
  assert.equal(findJsonPath(o, '.status.conditions[?(@.observedGeneration)].status'), ['True', 'False']);
  assert.equal(findJsonPath(o, ".status.conditions[?(@.type!='Ready')].type"), ['ConnectionTestSucceeded']);
  assert.equal(findJsonPath(o, '.status.conditions[*].type'), ['Ready', 'ConnectionTestSucceeded', 'Ready']);
});

test('writing and parsing keep to the simple form: a filter path is not written', () => {
  assert.is(parseJsonPath('.status.conditions[?(@.type=="Ready")].status'), null);
  assert.equal(parseJsonPath(".metadata.labels['a.b/c'][0]"), ['metadata', 'labels', 'a.b/c', 0]);
  assert.is(writeJsonPath(o, '.status.conditions[*].status', 'x'), o);
});

test.run();
