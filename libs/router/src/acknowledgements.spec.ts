import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Acknowledgements } from './acknowledgements';

describe('Acknowledgements', () => {
  it('acknowledges each change once it is applied', () => {
    const acks = new Acknowledgements();
    acks.begin(1);
    assert.equal(acks.finish(1), 1);
    acks.begin(2);
    assert.equal(acks.finish(2), 2);
  });

  it('never acknowledges past a change still draining, even when a newer one is done', () => {
    const acks = new Acknowledgements();
    acks.begin(5);
    acks.begin(6);
    assert.equal(acks.finish(6), 4, 'only what came before the draining change');
    assert.equal(acks.finish(5), 6, 'both, once the drain is over');
  });

  it('never goes down: a start-up acknowledgement older than an applied change is ignored', () => {
    const acks = new Acknowledgements();
    acks.begin(9);
    assert.equal(acks.finish(9), 9);
    assert.equal(acks.raise(8), undefined);
    assert.equal(acks.raise(10), 10);
  });

  it('waits for every application of a generation applied twice (a message and a catch-up)', () => {
    const acks = new Acknowledgements();
    acks.begin(3);
    acks.begin(3);
    assert.equal(acks.finish(3), 2);
    assert.equal(acks.finish(3), 3);
  });
});
