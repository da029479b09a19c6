/*
 * gc.c -- the cycle collector. This comment is the authoritative account of the algorithm;
 * docs/ links here and never restates it. Sections: 1 what is tracked; 2 the header bits;
 * 3 lists and partitions; 4 the phases, their contracts, the invariants checked after each
 * and a worked example; 5 schedules; 6 re-entrancy; 7 cost; 8 rc_heap_check. Later
 * sections extend the numbering.
 *
 * 1. WHAT IS TRACKED. Reference counting frees everything but cycles; only objects that
 *    can hold references can be part of a cycle, so only they are tracked: instances of
 *    types with reference offsets or a traverse function (built-ins: tuple, list, dict),
 *    unless the type says RC_TYPE_UNTRACKED or the program untracks the object
 *    (rc_gc_untrack). int, float and str are never tracked. An untracked object's
 *    references count as references from outside the heap: what it holds stays alive.
 *
 * 2. THE HEADER (rc_object, 8 bytes; bits in internal.h).
 *    _refcnt    Between collections: the number of references to the object. During a
 *               collection of generation N it is rewritten in place: after phase 1 it
 *               counts only references from outside the collected set (trial deletion on
 *               the real count, not a copy: rcgc has no spare header word, and restoring
 *               the counts costs no extra pass, see phase 2). After phase 4 every
 *               surviving object's count is exact again.
 *    gen (2 bits)  0, 1, 2, or 3 for the permanent generation (never collected).
 *    TRACKED    the object is tracked (section 1).
 *    REACHABLE  only during a collection: found reachable from outside the set.
 *    SCANNED    only during a collection: its references have been followed (phase 2).
 *    EXTREFS    only during a collection: phase 1 found it holding a reference to an
 *               object outside the set.
 *    GARBAGE    only during a collection that takes phase 3: the object was unreachable
 *               when phase 2 ended (the garbage set G, recorded before user code runs).
 *    UNCOLLECTABLE  only during a collection that takes phase 3: the object was garbage
 *               but is held by garbage with a legacy finalizer, or has one (3a').
 *    FINALIZED  its finalizer has run (PEP 442: never again, resurrected or not).
 *    WEAKREFD   it has a weakref list, possibly empty, in heap->wr.wr_table (weakref.c,
 *               WEAKLIST): its death must clear and remove it.
 *    The five collection bits are clear on every object between collections (a doomed
 *    object's header holds a list link instead: section 9, DOOMED).
 *
 * 3. LISTS. rcgc keeps no per-object lists (they would cost 16 bytes an object). Objects
 *    live in pages (page.c); a collection finds its objects by walking pages:
 *    heap->pages.young   every page holding a generation-0 object is on it (a page may be on it
 *                  and hold none, after frees).
 *    heap->pages.gen1    likewise for generation 1.
 *    generation 2  all container pages (a full collection walks them all).
 *    The collected set S of a collection of generation N is every tracked, non-pending
 *    object with gen <= N on the pages of those lists (young; young and gen1; or all
 *    container pages). The pages are threaded through page->cnext for the collection.
 *    A partial run of the candidate schedule (section 5a) collects generation 1 alone and
 *    finds its members through heap->gc.cand (gc_run.members) instead of pages.
 *    The partitions of one collection, by header bits (no object moves between lists):
 *    S         the collected set above; everything else is "outside" (older generations,
 *              untracked and atomic objects, objects on the pending list).
 *    R         survivors: objects of S marked REACHABLE (phase 2; 3a' and 3d add to it).
 *    G         the garbage: S minus R when phase 2 ends. When phase 3 runs, G is recorded
 *              as RCI_GARBAGE (3a) and shrinks as 3a' (its UNCOLLECTABLE part U), user
 *              code (frees by counting) and 3d (the resurrected part) take objects out.
 *    new       objects user code allocates in phase 3: generation 0, neither bit.
 *    The work lists a collection uses:
 *    heap->gc.mark_stack  phases 2, 3a' and 3d: objects marked but not yet SCANNED; if it
 *              cannot grow, an overflow flag makes the phase rescan S.
 *    the ring  16 prefetched references waiting for their action (traversal, below).
 *    heap->objs.pending  objects at count zero waiting to be freed (object.c, PENDING); phases 4
 *              and 5 set heap->objs.defer_free, so every object dying then waits there.
 *    heap->objs.deferred  objects dying in phases 4-5 that need rites (object.c, RITES-DEFER).
 *    heap->wr.wr_calls  due weakref callbacks (weakref.c, QUEUE): 3b runs those it queued;
 *              3e queues the late ones above gc_run.late_calls, run after phase 5.
 *    heap->gc.cand, heap->gc.late  the candidate buffer and the candidates met during a
 *              collection (section 5a).
 *    heap->pages.emptied  pages emptied while heap->pages.defer_page_release is set (page.c, POOL):
 *              the pages of S stay mapped until the collection ends.
 *    rc_gc_garbage  the gc module's garbage list (gcmodule.c): 3d' and U's legacy objects.
 *    heap->gc.doomed  garbage confirmed by an earlier collection, waiting to be released in
 *              slices (section 9, DOOMED): outside every set, never traversed.
 *
 * 4. THE PHASES of collect(), each a static function of the same name.
 *    RITES: the work a dying object needs before its references are dropped, in this
 *    order: its finalizer (rc_type_spec.finalize, unless FINALIZED: PEP 442), the clearing
 *    of its weakrefs with their callbacks queued, its legacy finalizer (which may
 *    resurrect it). finalize.h's LAST RITES says which objects need them
 *    (rci_object_needs_rites). A death by counting runs them in object.c's last_rites, or, in
 *    phases 4 and 5, after phase 5 (RITES-DEFER); a death in a cycle runs them in phase 3
 *    (weakrefs in 3b, finalizers in 3c); a collection never runs a legacy finalizer (3a').
 *    1. subtract_internal_refs: for each object in S, for each reference it holds to an
 *       object in S, decrement that object's count. Now each count is the number of
 *       references from outside S (C variables, untracked objects, older generations).
 *    2. mark_reachable ("move unreachable"): every object of S whose count is positive
 *       is reachable; so is everything it reaches within S. Following a reference from
 *       a reachable object to an object in S increments that object's count again, so
 *       when this phase ends every reachable object's count is exact except for the
 *       references it receives from unreachable objects (the garbage), which stay
 *       subtracted. Each unreachable object's count is 0. Work list: the heap's mark
 *       stack; if it cannot grow, the object stays marked REACHABLE but not SCANNED and
 *       the phase rescans S until none is left (no allocation is required to finish).
 *    3. run_rites, taken only when the garbage needs user code: some garbage object has
 *       an unrun finalizer, weakrefs or a legacy finalizer (or a debug flag asks to see or
 *       save the garbage).
 *       Phase 1 notes whether any object of S needs rites, but only when some type has a
 *       finalizer or some weakref exists (two phase-1 loops, chosen once per run), so
 *       collections of plain objects keep the path of phases 1, 2, 4, 5 unchanged; only
 *       then is the garbage looked at.
 *       3a restore_counts: each garbage object gets RCI_GARBAGE and gives back the
 *          references it holds to objects of S (subtracted by phase 1, not restored by
 *          phase 2). Every count is exact again; from here user code may run. Objects it
 *          allocates are generation 0 with neither REACHABLE nor GARBAGE: they are never
 *          taken for garbage or survivors, and the pages of S stay on the run's list
 *          (defer_page_release) even if they empty. Automatic collection stays off
 *          (heap->gc.collecting); allocation and reference counting work as usual.
 *       3a' move_legacy_finalizers: garbage whose type has a legacy finalizer (tp_del), and
 *          all the garbage it reaches, is uncollectable: it loses GARBAGE and becomes a
 *          REACHABLE, UNCOLLECTABLE survivor, untouched by 3b-3e (no weakref cleared, no
 *          finalizer run). After 3c, handle_legacy_finalizers counts it as uncollectable
 *          and reports it under RC_GC_DEBUG_UNCOLLECTABLE; after 3d',
 *          save_legacy_finalizers appends each object with a legacy finalizer (with
 *          SAVEALL, each of them) to rc_gc_garbage, whose references keep the rest alive, as
 *          CPython's handle_legacy_finalizers (COUNTED: uncollectable, not collected;
 *          rc_collect's result includes it).
 *       3b handle_weakrefs (CPython's rules): every weakref (or weak proxy) to a garbage
 *          object is cleared, and every weakref that is itself garbage is detached, before
 *          any callback or finalizer runs; then the callbacks of cleared weakrefs that are
 *          not garbage run.
 *       3c finalize_garbage: each garbage object with an unrun finalizer is marked
 *          FINALIZED and finalized, holding a reference of its own meanwhile. A finalizer may
 *          free other garbage by counting (its slot is freed; GARBAGE goes with it).
 *       3d handle_resurrected: phases 1 and 2 again on what is left of G (RCI_GARBAGE and
 *          alive): what user code made reachable from outside G, including objects it
 *          allocated, is marked REACHABLE and survives with the survivors of S; the rest
 *          has count 0 and is freed. This is CPython 3.9+'s handle_resurrected_objects, not
 *          3.4-3.8's rule of keeping all of G when any of it was resurrected. No user code
 *          runs from here to the end of phase 5.
 *       3d' save_garbage, with RC_GC_DEBUG_SAVEALL only: what is still garbage gets its
 *          counts back, becomes a REACHABLE survivor and is appended to rc_gc_garbage
 *          (CPython's delete_garbage under DEBUG_SAVEALL).
 *       3e clear_late_weakrefs: weakrefs made by finalizers to objects still garbage are
 *          cleared; their callbacks run after phase 5.
 *    4. release_external_refs: each garbage object drops its references to objects
 *       outside S (older generations, untracked and atomic objects; after phase 3,
 *       everything outside G) with rc_decref;
 *       those reaching zero wait on the pending list (heap->objs.defer_free) so that nothing
 *       in S is freed while phases still read headers in S. References from garbage to
 *       objects in S were dropped by phase 1 already and are not touched again.
 *    5. free_garbage_and_promote: each garbage object is destroyed and its slot freed
 *       (its type's clear is not called: the references inside the garbage need no
 *       release); each survivor loses its collection bits and moves to generation
 *       min(N + 1, 2) (the candidate schedule: 2). Then the pending list is drained by
 *       ordinary reference counting, which is exact now: the garbage is gone and so are
 *       the references it held.
 *       Objects whose count reached zero during phase 4 and that need a finalizer or have
 *       weakrefs were kept alive on heap->objs.deferred (object.c, RITES-DEFER); their references are
 *       dropped now and their rites run, then the late weakref callbacks of 3e.
 *    Invariant after the collection: every object of S is either freed or a survivor with
 *    an exact count in generation min(N + 1, 2) (the candidate schedule: 2); objects
 *    outside S are untouched except that their counts lost the references the garbage
 *    held.
 *    COUNTED: what a collection reports (rc_collect's result, rc_gc_stats.collected, the
 *    callbacks' rc_gc_info.collected) is CPython 3.9+'s: collected = the garbage freed in
 *    phase 5 plus what SAVEALL saved (CPython's final_unreachable), uncollectable = the
 *    garbage 3a' kept; rc_collect returns their sum. Objects a finalizer resurrected, with
 *    all they keep alive, are not counted, nor garbage freed by counting while user code
 *    ran in phase 3 (it left the set, as it leaves CPython's unreachable list).
 *    CONTRACTS OF THE PHASE-3 STEPS (entry => exit; "user code" = finalizers, callbacks,
 *    debug output, and everything they call):
 *    3a  restore_counts: GC-MARKED, no user code has run => GC-GARBAGE-RECORDED; every
 *        count exact.
 *    3a' move_legacy_finalizers: GC-GARBAGE-RECORDED => GC-LEGACY; counts unchanged.
 *        From here to 3d user code may run: it may free objects of G by counting (their
 *        slots become 0 or new objects), resurrect them (count > 0, still GARBAGE) or
 *        allocate (new objects); walks from here use FOR_EACH_SLOT and test the bits.
 *    3b  handle_weakrefs: GC-LEGACY => no object of G is WEAKREFD; every weakref in G is
 *        detached; the callbacks of the cleared weakrefs outside G have run.
 *    3c  finalize_garbage: 3b's exit => every object of G whose type has a finalizer is
 *        FINALIZED; handle_legacy_finalizers then counts and reports U (output only).
 *    3d  handle_resurrected: counts exact (user code runs only with exact counts) =>
 *        GC-RESURRECTED. No user code runs from here to the end of phase 5.
 *    3d' save_garbage (SAVEALL): GC-RESURRECTED => nothing is still garbage: each object
 *        got its counts back, REACHABLE, and a place in rc_gc_garbage (if the list cannot
 *        grow, rc_heap_stats.unsaved_garbage counts it and it survives as garbage).
 *        save_legacy_finalizers appends U's legacy objects likewise.
 *    3e  clear_late_weakrefs: GC-RESURRECTED => no still-garbage object is WEAKREFD; the
 *        callbacks due wait on wr_calls above late_calls.
 *    CHECKED AFTER EACH PHASE (debug level 2: gcvalidate.c reads the headers of S, or the
 *    members of a partial run, and reports a failure as RC_MISUSE_ASSERT with the name):
 *    GC-SET         after gather_pages: the pages of S are container pages, each listed
 *                   once; no object of S has a collection bit; every count is >= 1; a
 *                   partial run's members are all in S. (A partial run whose walk is
 *                   phase 1, section 9's FUSED: checked on its candidates before the walk.)
 *    GC-SUBTRACTED  after phase 1: EXTREFS is the only collection bit set in S; a partial
 *                   run's members are all in S, and none has a count below 0.
 *    MEMBERS-IN-S   (the invariant): a partial run's members stay in S from the end of the
 *                   neighbourhood walk until phase 3 runs user code: phases 1, 2 and 4
 *                   free no object of S (phase 4 decrements only objects outside S, and
 *                   what dies waits on the pending list) and change no generation. So
 *                   those phases, and phase 5 when phase 3 did not run, loop over the
 *                   member array without testing membership (FOR_EACH_MEMBER). Checked by
 *                   GC-SET, GC-SUBTRACTED and GC-MARKED.
 *    GC-MARKED      after phase 2: REACHABLE exactly when SCANNED; every object with a
 *                   count above 0 is REACHABLE and every REACHABLE one has a count >= 1;
 *                   neither GARBAGE nor UNCOLLECTABLE is set.
 *    GC-GARBAGE-RECORDED  after 3a: each object of S is exactly one of REACHABLE, GARBAGE.
 *    GC-LEGACY      after 3a': UNCOLLECTABLE implies REACHABLE and not GARBAGE; no
 *                   object is both REACHABLE and GARBAGE.
 *    GC-RESURRECTED after 3d: garbage with a count above 0 is REACHABLE (resurrected), and
 *                   a resurrected object has a count >= 1.
 *    GC-RELEASED    after phase 4: survivors have a count >= 1; what is still garbage has
 *                   no count above 0.
 *    GC-PROMOTED    after phase 5: no object on the pages of S (or among the members)
 *                   carries a collection bit.
 *    WORKED EXAMPLE. A collection of generation 0 whose S is four pairs a, b, c, d; the
 *    program holds c; a->b, b->a, b->d, c->d, d->c. Counts of a, b, c, d before: 1 1 2 2.
 *      phase 1 subtracts the five references inside S:               0 0 1 0
 *      phase 2: c (count 1) is REACHABLE; c->d gives d back 1 and marks it, d->c gives
 *        c back 1; a and b stay at 0, unreachable:                    0 0 2 1
 *        (d's exact count is 2: b->d, from the garbage, stays subtracted.)
 *      phase 3 is not taken: no type has a finalizer and no weakref exists.
 *      phase 4: a and b hold no reference out of S (no EXTREFS): nothing to drop.
 *      phase 5 frees a and b; c and d, exact now that b is gone, lose their bits and move
 *        to generation 1 (generational schedule) or 2 (candidate schedule):   c 2, d 1.
 *      rc_collect returns 2. Had a's type a finalizer storing a into a list the program
 *      holds, 3a would give back a->b, b->a, b->d (1 1 2 2), 3c would run it (a: 2), and
 *      3d would subtract a->b and b->a (a 1, b 0), mark a and, through a->b, b (a 2, b 1):
 *      nothing freed, 0 returned, and a's finalizer never runs again.
 *
 * 5. SCHEDULES. A heap runs one of two (rc_heap_config.schedule).
 *
 *    5a. THE CANDIDATE SCHEDULE (RC_GC_SCHEDULE_CANDIDATES, the default): automatic work
 *    follows the places where cyclic garbage can appear, not the allocations.
 *    Why: reference counting frees everything but cycles, and a cycle becomes garbage only
 *    when its last reference from outside is dropped; if that happens through rc_decref
 *    (or the library dropping a reference), the count of the object it pointed to goes
 *    down to a non-zero value (Bacon and Rajan 2001). CPython's schedule instead examines
 *    every tracked object in young collections, again in generation 1, and again in full
 *    collections: work that grows with what a program allocates and keeps, and finds
 *    nothing in acyclic data (binary-trees) or data being built.
 *    Generations here: 0 = tracked objects no collection has examined and never dropped to
 *    a non-zero count; 1 = candidates; 2 = examined and found alive; 3 = permanent.
 *    - Buffering. rc_decref (rcgc.h, inline) tests the header after a decrement to a
 *      non-zero count: a tracked, not pending object of generation 0 or 2 goes to
 *      rc__candidate (one AND and one compare on the hot path; generations 1 and 3 fail
 *      the test). The object moves to generation 1, its page onto the gen1 list, and a
 *      pointer to it onto heap->gc.cand. Nothing is done when such an object is freed by
 *      counting (lazy invalidation): its entry goes stale and is dropped when the buffer is
 *      compacted (cand_compact: entries that are generation-1 objects, each once). A stale
 *      entry may point to a slot freed or reused, never to unmapped memory: a page on the
 *      gen1 list is not released while the buffer has entries (page.c). If the buffer
 *      cannot grow, the object is a candidate all the same (generation 1) and
 *      cand_overflow makes the next automatic run a full collection, which examines every
 *      generation: no candidate is lost. The common case (no incremental run, no collection
 *      in its phases 1-5, room in the buffer, the trigger not crossed) costs two compares
 *      besides the buffering itself and, for generation 0, one test of the type's
 *      LOOK-PAYS state and, while that is on, ACYCLIC-NOW's look (CAND-FAST, at
 *      rc__candidate).
 *    - ACYCLIC-NOW. Before buffering an object of generation 0, rc__candidate looks at its
 *      references (lists, tuples, dicts and types described by offsets; at most
 *      ACYCLIC_SCAN_REFS of them): if none is a tracked object, the object is on no cycle
 *      now, and it goes straight to generation 2, as expand_candidates would move it,
 *      without entering the buffer. Sound: a cycle becomes garbage when the last reference
 *      from outside it goes; when a decrement drops it, the object decremented is a member,
 *      left non-zero by its predecessor's reference, and it holds its reference to its
 *      successor, a tracked object, at that moment: it is buffered (or already generation 1).
 *      A skipped object that gains references is looked at again at its next drop
 *      (generation 2 passes the header test, and is buffered without a look). A type with
 *      its own traverse function, or more references, is buffered unseen (rc_decref runs no
 *      user code). Effect: building a list of two-element lists (append, then rc_decref of
 *      each inner list) buffers nothing (while the look pays for lists: LOOK-PAYS); without
 *      the look, partial runs over those lists would add about a third to the building
 *      (callgrind, 1M lists). test_random_differential's complete mode checks
 *      it: with budgets that cannot run out, rc_collect(heap, 1) frees every unreachable node.
 *    - LOOK-PAYS. The look is taken per type while it pays (rc_type.cand_look, at
 *      look_skipped). After LOOK_MISSES (16) looks in a row at young instances of a type
 *      that found a tracked reference (or could not look: a traverse function of the type's
 *      own, more than ACYCLIC_SCAN_REFS references), the look is off for that type: its
 *      next LOOK_SAMPLE (64) young candidates are buffered unseen, acyclic or not, as if
 *      rc__candidate had no look, and the one after them is looked at (a sample): finding
 *      no tracked reference turns the look back on, finding one turns it off for 64 more.
 *      Why: a look costs a chain of dependent loads (the type, its offsets, the fields, the
 *      referenced headers) and pays only when it finds an acyclic object; an interpreter's
 *      frames and closures always hold tracked references (the churn program of
 *      bench/interp: 200,000 looks, one acyclic), while a list of two ints (above) always
 *      pays. Sound in every state: buffering is what a look that finds a tracked reference
 *      leads to. Generation sizes right after a decrement therefore depend on the type's
 *      recent looks (test look_off_while_it_does_not_pay).
 *    - Partial run (automatic; reported as a collection of generation 1). When generation
 *      1 holds more than heap->gc.cand_trigger objects, the next tracked allocation runs one:
 *      1. the buffer is compacted; 2. expand_candidates walks breadth first from the
 *      candidates: each tracked object of generation 0 or 2 they reach joins generation 1
 *      and the buffer (the neighbourhood), within a budget of threshold[2] objects per
 *      candidate plus threshold[0]; a member holding no reference to a tracked object
 *      cannot be on a cycle and leaves at once for generation 2 (this keeps floods of
 *      acyclic candidates, e.g. lists of ints appended then dropped, out of the trial
 *      deletion; in a walk that is phase 1 too, only a candidate does: section 9, FUSED);
 *      3. phases 1-5 run with S = generation 1, iterated through the buffer
 *      (gc_run.members) instead of pages: everything outside S, the old objects the budget
 *      left out included, counts as outside references, which is sound for any S (the
 *      same argument as for a young collection). Survivors go to generation 2. Phases 1,
 *      2 and 4 of a partial run act on each reference at once, without the prefetch ring,
 *      and test membership in one compare (DIRECT, at ring_push). With bounded pauses (the
 *      default) the neighbourhood walk does phase 1's subtraction itself (section 9,
 *      FUSED): each member's references are read once for both.
 *      Cost: the candidates and their neighbourhood, never the heap.
 *    - Candidates met while phases 1-5 run (phase 4 releasing garbage's references to
 *      objects outside S, user code in phase 3) cannot join S: hold_late keeps each under a
 *      reference of its own in heap->gc.late, and dropping those references after phase 5
 *      buffers them. Garbage of the running collection is left to it. If heap->gc.late
 *      cannot grow, the next automatic run is a full collection.
 *    - Yield-adaptive trigger (PHP, Nim ORC): after a partial run that found garbage for
 *      at least a quarter of the members it looked at, cand_trigger halves (not below
 *      threshold[0]); otherwise it doubles (up to 16 threshold[0]).
 *    - Full collections (automatic) come only from signals: a buffer that could not grow,
 *      or threshold[1] partial runs whose budget ran out since the last full collection
 *      once the tracked objects have also grown by a quarter since then (CPython's 25%
 *      rule, so building a large structure stays linear). rc_collect(heap, 2) examines
 *      everything and finds every unreachable cycle, whatever the schedule skipped.
 *    - What this schedule does not find by itself: a cycle whose last outside reference
 *      the program gives away without rc_decref, by storing the reference it owned into a
 *      field of the cycle (a steal: `c->next = a;` where a's reference was the caller's).
 *      No count went down, so nothing is a candidate; such garbage waits in generation 0
 *      for rc_collect(heap, 0, 1 or 2) or an automatic full collection. Closing a cycle
 *      with rc_newref and then dropping the builder's reference with rc_decref is found.
 *    - rc_collect(heap, 0) examines generation 0; rc_collect(heap, 1) generations 0 and 1,
 *      with the neighbourhood of the candidates; both move survivors to generation 2.
 *    - Counts (rc_gc_get_count): generation 1's size (the candidates waiting, compared with
 *      cand_trigger, rc_gc_get_trigger); partial runs and collections of generation 1 since
 *      the last full collection; truncated partial runs since then.
 *    Worked example. Default thresholds (2000, 10, 10). A program keeps 2M nodes in a chain
 *    built by steals (each new node takes over the reference to the previous head): no
 *    rc_decref leaves a count above zero, generation 0 grows to 2M, no collection runs.
 *    It then keeps cycles of 2-8 nodes in a ring of slots: building a cycle a->b->c->a
 *    with rc_newref(a) for the closing edge and rc_decref(a) for the builder's reference
 *    makes a a candidate (generation 1). Later the ring slot is overwritten and
 *    rc_decref(a) leaves a (by now generation 2) at count 1 (from c): a candidate again,
 *    now of a garbage cycle. After 2001 candidates the next allocation runs a partial run:
 *    the neighbourhood pulls b and c (generation 2) in, phase 1 subtracts a->b, b->c,
 *    c->a; all three counts are 0; nothing outside S holds them; they are freed. The live
 *    chain is never looked at. The run found about four garbage objects per candidate:
 *    the trigger stays at 2000. Had the runs found nothing (say every candidate was a
 *    list of a hundred ints), the trigger would double per run up to 32000, and each such
 *    candidate would cost one look at its references (it holds no tracked object:
 *    generation 2); a list of a few ints is not even buffered (ACYCLIC-NOW; its look stays
 *    on while such lists are the candidates: LOOK-PAYS).
 *
 *    5b. THE GENERATIONAL SCHEDULE (RC_GC_SCHEDULE_GENERATIONAL; CPython 3.13's, for strict
 *    parity). rc__candidate returns at once. gen[0].count = tracked allocations minus
 *    deallocations since the last collection of generation 0; gen[i].count (i > 0) =
 *    collections of generation i - 1 since the last collection of generation i. When an
 *    allocation finds gen[0].count above threshold[0], the oldest generation whose count
 *    exceeds its threshold is collected, except that a full collection waits while
 *    long_lived_pending (objects promoted into generation 2 since the last full
 *    collection) is under a quarter of long_lived_total (generation 2's size after it),
 *    which keeps full collections from making the building of a large structure quadratic
 *    (CPython's rule). Defaults are CPython 3.13's: 2000, 10, 10. Survivors of a collection
 *    of generation N move to min(N + 1, 2).
 *
 * 6. RE-ENTRANCY. User code (finalizers, weakref callbacks, collection callbacks, the
 *    debug output) runs only where every count is exact: before phase 1, in phase 3
 *    between 3a and 3d, and after phase 5's drain; elsewhere only type destroy functions
 *    run (which must neither allocate objects nor touch references). Throughout,
 *    heap->gc.collecting is set (rc_gc_is_collecting): rc_collect returns 0 at once, as
 *    CPython's gc.collect() does, automatic collection does not start, rc_gc_untrack is
 *    misuse and rc_gc_freeze returns RC_ESTATE. Allocation, counting and weakrefs work.
 *    rc_collect collects while objects released by counting are being freed
 *    (heap->objs.freeing: a finalizer or callback of an object dying in a release cascade), as
 *    CPython's gc.collect() does during a deallocation: the objects on the pending list
 *    are outside every collected set (in_set), the references they still hold count as
 *    references from outside, the collection's own count-zero objects join that list
 *    (phase 4), and the drain that was running frees them all afterwards. Automatic
 *    collection waits for the drain to end (rci_gc_alloc_check).
 *
 * 7. COST. Phases 1, 2 and 4 each traverse the objects they look at once: phase 1 all of
 *    S (in a chunked partial run, during the neighbourhood walk: section 9, FUSED), phase 2 the reachable part, phase 4 the garbage; phase 5 reads each header of S
 *    once. A type described by reference offsets and a trailing array is read inline, with
 *    no call per reference (DESCRIBED, at ring_traverse_with); a traverse function costs
 *    a call per reference. Extra memory: the mark stack, at most one entry per object of
 *    S and freed after the collection when large; nothing per object. No C recursion
 *    anywhere.
 *    Phase 3, when taken, costs a look at each header of S (does the garbage need
 *    rites?), then up to six walks of the pages of S and traversals of the garbage.
 *
 * 8. rc_heap_check (check.c) verifies between collections: generation sizes and tracked
 *    counts against a recount, that every generation-0/1 object's page is on the young or
 *    gen1 list, that no collection bit (GARBAGE included) is set, that no count is below
 *    the references the heap itself holds to the object (the report names its type, count
 *    and repr), the weakref side table (weakref.c, WEAKLIST and TABLE), that no deferred
 *    rites are left and that queued callbacks hold live weakrefs (a collection may start
 *    inside a callback). During a drain (section 6) objects on the pending list are
 *    allowed and counted; doomed objects (section 9, DOOMED) are allowed at any time and
 *    not counted as live.
 *
 * 9. BOUNDED PAUSES (issue 12; src/gcincr.c). Under the candidate schedule, unless
 *    rc_heap_config.stop_the_world asks for the behaviour of sections 1-8, the collection
 *    work that has no bound runs in increments between allocations: an automatic full
 *    collection (section 5a's signals), and what lies beyond a partial run's truncated
 *    neighbourhood (a neighbourhood run, below); rc_collect_step(heap, budget) runs full
 *    collections in the same increments on the host's call. Partial runs go on during an
 *    incremental collection; rc_collect(heap, 2) abandons one and collects
 *    stop-the-world, as before.
 *    Why not simply resume phases 1-5 later: phase 1 rewrites counts in place (section 2),
 *    so between increments a decrement could reach zero on a subtracted count and free a
 *    live object. So an incremental collection changes no object at all until its final
 *    step, and the final step is phases 1-5, whole, in one pause.
 *    - Start: the run records every container page (a map keyed by page address, with one
 *      16-bit side word per slot, zeroed page by page when first used). A full run's
 *      members: tracked, not pending, non-permanent objects in slots of those pages, read
 *      from the header each time (objects made since in those pages are members too; in
 *      new pages not). A neighbourhood run's members are those of them its seeds reach
 *      (a member bit in the side word, set when SCAN first meets the object).
 *    - SCAN (increments): for each member, its references to members are counted in their
 *      side words (count_in); the member is marked scanned. A neighbourhood run scans
 *      depth first from its seeds through the work list, and every tracked object a member
 *      refers to becomes a member (no budget).
 *    - MARK (increments): a member is live if it is not marked scanned, its count exceeds
 *      count_in, or it was touched: rc_decref left it at a non-zero count while the run was
 *      in progress (rc__candidate is called for generation 0 and 2 objects, and calls
 *      rci_gcincr_touched). Liveness is propagated along the references the live members
 *      hold when the work list reaches them; a member touched after the sweep passed it
 *      triggers another sweep (at most two more).
 *    - LIST (increments): the members neither live nor of generation 1 (the candidate
 *      buffer holds those) are the suspected garbage W, recorded in a list.
 *    - FINAL (one pause): a partial run (section 5a) whose set S' is the candidates, their
 *      neighbourhood and what of W is still a member (rci_gcincr_partial joins it right
 *      after the neighbourhood is taken), reported as a collection of generation 2; then
 *      the run's tables are freed and the full-collection figures (full_due, truncated
 *      runs, long-lived counts) are reset as after a full collection.
 *    INCREMENTAL (the invariant): between increments every count is exact and no header
 *    bit of sections 2 and 4 is set by the run: an incremental collection in progress is
 *    only side tables, and nothing but its final step, a stop-the-world trial deletion,
 *    frees or changes an object.
 *    Why it is safe whatever the program does between increments: the final step is phases
 *    1-5 over S', and trial deletion over any set of live objects is exact (the argument of
 *    a young collection, section 3): every reference from outside S', whenever it was
 *    made, counts as outside, so an object the program can still reach survives, and
 *    finalizers, resurrection and weakref clearing (phase 3) happen as in any collection,
 *    in the same pause. The filter only chooses S': a reference added, dropped, moved
 *    without a count change (a steal out of a member, e.g. rc_list_pop), an object made,
 *    freed or resurrected, or a weakref read (rc_weakref_get increfs) between increments
 *    can make W too large (the final step then keeps the live part) or too small (the
 *    garbage left out waits for the next collection), never unsafe. The run's pointers
 *    never dangle: the page map is asked before any slot is read, page.c tells the run
 *    (rci_gcincr_page_gone) before a page's memory goes, and a freed slot reads free or
 *    holds a newer object, which the final step checks like any other.
 *    What the filter guarantees besides: an unreachable cycle that exists when the run
 *    starts (a neighbourhood run: and that its seeds reach) is counted in full by SCAN, is reached by no live member in MARK, and no
 *    program can touch it (except through a weakref, or a collection releasing garbage
 *    that refers to it), so it is in W, and the final step confirms and counts it: no
 *    garbage is aged or left to a later collection (CPython 3.14's memory growth); only
 *    the freeing of its slots may follow in slices that keep pace with allocation (below).
 *    - CHUNKS: with bounded pauses an automatic partial run examines at most
 *      chunk_objects = pause budget / 96 ns objects (at least 256; 1041 with the default
 *      budget), candidates and neighbourhood together: expand_chunk_fused takes the
 *      candidates one by one, each with its neighbourhood (breadth first; section 5a's budget, as
 *      threshold[2] objects per candidate and a pool of threshold[0], at most half a
 *      chunk, shared by all), and takes no more once the run holds chunk_objects (one
 *      candidate's neighbourhood may take it up to 1.5 chunk_objects). The candidates not
 *      taken leave generation 1 for heap->gc.rest (generation 2), and the next tracked
 *      allocation runs the next chunk (rci_gc_partial_due), which, once the buffer's
 *      candidates are taken, takes candidates back from rest while it has room (the last
 *      set aside first; without FUSED, below: chunk_take takes about as many back as the
 *      last run took, expand_chunk_plain); a rest entry that was freed, reused or buffered
 *      again meanwhile is dropped then. Why sound: a candidate set aside is one more object outside S, and
 *      any S is exact (section 5a); a cycle split between chunks is found by the later one
 *      (the earlier one's survivors are generation 2, which the neighbourhood pulls in).
 *      Nothing is lost: rest entries are candidates still, examined by the next chunks,
 *      taken back by rc_collect(heap, 1), and examined by any full collection (which
 *      empties the buffer). Stale entries never point to unmapped memory: while rest has
 *      entries no empty page is released (page.c). Cost: one header write per candidate
 *      at the start of a run (FUSED: to generation 2) and one per candidate taken. 96 ns per object is about three times
 *      what phases 1-5 of a partial run cost per object on the machine of
 *      docs/BENCHMARKS-pauses.md, to keep the tail of those pauses (cache misses) in
 *      budget; a fixed figure, not measured at run time, so that what a run examines
 *      does not depend on the machine's load. The yield-adaptive trigger
 *      and the garbage-latency bound are unchanged: the runs over one trigger's worth of
 *      candidates follow each other at consecutive allocations. rc_gc_get_count's first
 *      figure (generation 1's size) does not count the candidates waiting in rest.
 *      FUSED (the invariant): in a chunked run the neighbourhood walk is phase 1, so each
 *      member's references are read once, not once to walk and once to subtract. The
 *      buffer's candidates first become pending seeds (generation 2, outside S), and S
 *      grows only by admission: a seed taken, or an object that the reference of a member
 *      being expanded reaches, within the budget (a candidate reached so joins as that
 *      member's neighbour). When a member is expanded, each of its references to an object
 *      of S, already in or admitted by that reference, decrements that object's count, and
 *      any other reference to a heap object marks the member EXTREFS. While the walk runs,
 *      every member's count is its count before the run minus the references to it from
 *      the members expanded so far (and minus its recorded refusals, below); when it ends,
 *      every member is expanded and every count is phase 1's. S never shrinks but for a
 *      seed holding no reference to a tracked object, which leaves for generation 2 as in
 *      section 5a: nothing was subtracted for it (a member reaching it would have admitted
 *      it or recorded a refusal); a neighbour holding none stays in S, references to it
 *      being subtracted already. The seeds not taken were never in S: nothing to give back.
 *      REFUSED: a reference the budget (or a buffer that cannot grow) keeps out of S is
 *      subtracted all the same and its object recorded (on the mark stack, idle during the
 *      walk; at most 4096 records a walk); when the walk ends, each recorded object outside
 *      S gets its decrement back. So an object refused by one neighbourhood and admitted
 *      later, by a later seed's neighbourhood or as a seed, has every reference from the
 *      members subtracted once. A refusal that cannot be recorded ends the chunk (no
 *      further seed, the budget spent): nothing refused unrecorded can join S. The walk
 *      puts no member's page on the gen1 list (section 3: a candidate's page is there
 *      already): nothing reads the list while a partial run is under way (rc_heap_check
 *      refuses to run during a collection), and phase 5 empties it. Without
 *      FUSED (rest has no room for the buffer's candidates, or the run joins the
 *      suspected garbage of an incremental run after its walk, rci_gcincr_joins) and in
 *      stop-the-world partial runs, final steps and rc_collect(heap, 1), phase 1 is a pass
 *      of its own. FUSED-DENSE: during the walk the buffer's candidates wait as seeds above
 *      rest's entries (rest has room for them), so the members fill the buffer from its
 *      start, and a seed that leaves S (it admitted nothing) is the buffer's last entry and
 *      is dropped: the member array holds no NULL entry and needs no compaction, and the
 *      seeds not taken stay in rest in their order (those pulled in as neighbours leave it).
 *      Checked: GC-SET on the candidates before the walk, GC-SUBTRACTED after it
 *      (FUSED-DENSE also by an assertion in debug builds, a NULL member by GC-SET); the
 *      randomized differential tests (test_random_differential's short-pauses graphs:
 *      chunked runs with refusals) and test_gc_pacing's tests of refusals.
 *      FINAL-WHOLE: the final step of an incremental run is never chunked. It takes every
 *      candidate, those waiting in rest included (rci_gc_collect_final sets
 *      heap->gc.final_whole), because LIST leaves the candidates out of W on the promise
 *      that the final step examines them: chunked, a garbage structure made of more
 *      candidates than a chunk holds would be examined cut, survive, and wait forever.
 *      A partial run whose neighbourhood was truncated, when no run is in
 *      progress, starts a neighbourhood run seeded with its candidates and neighbourhood
 *      (rci_gcincr_partial, right after the neighbourhood is taken); its final step is a
 *      partial run (reported as generation 1) and resets none of the full-collection
 *      figures. Yield-adaptive, as section 5a's trigger: a neighbourhood run whose final
 *      step found garbage for less than a quarter of its members makes the next one wait
 *      for four times its members' worth of allocations (a 10M-object live structure
 *      whose root keeps becoming a candidate is examined once per 40M allocations, not at
 *      every partial run). rc_collect_step abandons a neighbourhood run for a full one.
 *    - Increments are paced by tracked allocations (one every threshold[0] / 8) and each
 *      runs until its budget (rc_gc_set_pause_budget; default 100 us, so that increments
 *      and partial runs stay under 0.15 ms) is spent. WORK (gcincr.c): work is counted in
 *      units, one per object handled and one per four references followed, and the clock
 *      is read every 64 units (about a microsecond). PIECES (gcincr.c): SCAN and MARK
 *      follow the references of a list, tuple, dict or trailing-array type with more than
 *      256 of them 256 at a time, keeping a resume index (the object, its type and the
 *      next index) in the run, so one increment stays in budget even for a 10M-item
 *      list; each piece reads the object's length afresh and a piece of an object freed
 *      or reused by another type is dropped (only precision depends on what the program
 *      changed meanwhile, as for any reference between increments). A type with its own
 *      traverse function has no resumable form: its references are followed in one piece.
 *      SKIPS (gcincr.c): a neighbourhood run's MARK and LIST sweeps pay for the slots of
 *      its pages that hold no member (16 a unit, side words zeroed included) and read the
 *      clock at least every 1024 of them, so sparse members in full pages cost no long
 *      increment. W-RESERVED (gcincr.c): LIST's list of suspected garbage gets its room
 *      (up to the members' number; lazily mapped memory) before LIST starts, so no
 *      increment doubles and copies a long list.
 *      Stress mode runs one 64-unit increment at every tracked allocation, besides the
 *      partial run.
 *    - If a side table, the work list or W cannot grow, the run is abandoned (its tables
 *      freed: nothing else to undo) and a stop-the-world full collection, which needs no
 *      memory to finish, runs instead. rc_heap_free abandons a run in progress.
 *    - Pauses: every automatic pause (a partial run, an increment, a final step, a full
 *      collection) and every rc_collect_step call is timed into rc_gc_pause_stats (a
 *      histogram with four buckets per doubling), in both modes, for comparison;
 *      rc_gc_pause_stats_print writes it to the debug output, and RC_GC_DEBUG_PAUSES does
 *      so after every collection of generation 2.
 *    - Releasing the garbage in slices (src/gcdoomed.c). The confirmation stays in one
 *      pause: trial deletion over S' is what makes the final step exact without a write
 *      barrier (a steal out of a member is invisible to any filter), so phases 1-4 run
 *      whole. What may wait is phase 5's freeing: an automatic collection with increments
 *      on (a partial run, a final step, a full collection run by an allocation or by
 *      rc_collect_step; in stress mode any size) whose garbage after phase 4 exceeds one
 *      release slice (16 objects per tracked allocation of the slice interval,
 *      threshold[0] / 8: 4000 by default) hands it to the doomed list instead of freeing it
 *      (garbage_gone): each object leaves the books as at a free (generation sizes,
 *      tracked and live counts, its type's live count, live_bytes, total_freed, its origin
 *      record and snapshot id) and is chained into heap->gc.doomed through its header.
 *      DOOMED (the invariant): a doomed object is inert: its count reached 0 and no
 *      reference to it is counted anywhere, it gives up no reference (phase 1 or 3d
 *      subtracted those it held into the garbage, phase 4 dropped the rest), it has no
 *      weakref (3b and 3e cleared them) and no finalizer left to run (3c ran them, 3d kept
 *      the resurrected), and it is marked RCI_PENDING with the link in its header, on
 *      heap->gc.doomed and nowhere else; releasing it is its type's destroy and its slot,
 *      which can free nothing else, so no object leaves the list except by its own release
 *      (no cascade exists to survive). Checked: rc_heap_check walks the list against doomed_len and
 *      doomed_bytes and counts the PENDING objects on the pages (outside a drain they are
 *      exactly the doomed ones); each release asserts the mark (debug builds).
 *      Why it is safe. What must be atomic stays in the pause: the confirmation, the
 *      weakref clearing with the callbacks due (3b; a weakref to a doomed object reads
 *      dead when the pause ends), finalizers and the resurrection check (3c-3d: a
 *      resurrected object is a survivor, never doomed), the late weakrefs (3e), the
 *      release of every reference the garbage holds out of the garbage (phase 4: whether
 *      a reference points into the set is known only while the collection runs, from the
 *      subtracted counts) and the counting (COUNTED: collected when confirmed, as
 *      CPython). After the pause nothing the program can reach refers to a doomed object:
 *      the garbage was unreachable, no weakref to it is left, and the survivors' counts
 *      exclude it. The library's own walks skip it: it is PENDING, so rci_object_is_live
 *      is false and rc_heap_visit (rc_gc_get_objects, get_referrers, objgraph, snapshots,
 *      rc_heap_check's recount), every collection's set (in_set, the filter's member
 *      test) and the candidate buffer's compaction pass over it (UNSEEN, introspect.c,
 *      extended to released garbage); its stale fields are never traversed.
 *      Pacing and memory: while the list is not empty gc_trigger is 0, and every
 *      threshold[0] / 8 tracked allocations one slice releases up to its quota, looking at
 *      the clock every 64 objects against the pause budget (two objects per allocation
 *      of the interval are released whatever the budget); an allocation that released a
 *      slice does no other collection work. Every doomed object was allocated once, so a
 *      list drained at two to sixteen objects per tracked allocation empties faster than
 *      any program refills it: the memory held by doomed objects is at most what the
 *      collections of the last few intervals confirmed. rc_collect_step releases within
 *      its budget first (and ends when that was the only work left); rc_collect (any
 *      generation) and rc_heap_free release everything first; the stop-the-world
 *      configuration, rc_collect and the generational schedule never hand garbage over.
 *      Stress mode releases a 64-object slice at every tracked allocation.
 *    - Cost: SCAN and MARK traverse each member once (MARK only the live ones), LIST reads
 *      each side word once; 2 bytes per container slot of the pages a run touches, while
 *      it is in progress. What is not bounded: the references of a type with its own
 *      traverse function are followed in one piece (PIECES); a partial run's phases follow
 *      a candidate's references in one piece too (a candidate that is itself a 10M-item
 *      list costs one long partial run, a limit the issue 12 benches do not reach); and the final step's pause grows with
 *      what it examines and confirms, the suspected garbage included: a 100,000-object
 *      structure found dead costs one pause for the join of W, phases 1-4 and the
 *      hand-over (a header write per object); only its freeing is released in slices
 *      (docs/BENCHMARKS-pauses.md has the figures).
 */
#include "builtins.h"
#include "gcmodule.h"
#include "util.h"
#include "weakref.h"

#include <string.h>

#define MARK_STACK_KEEP 4096u

typedef struct gc_run {
    rc_heap *heap;
    unsigned gen;         /* the generation reported (stats, callbacks) */
    unsigned lo, span;    /* S = tracked objects with lo <= gen <= lo + span */
    unsigned target;      /* the generation survivors move to */
    rci_page *pages;      /* the pages of S, through cnext (a partial run: &pseudo) */
    rc_object **members;  /* a partial run's S (heap->gc.cand), or NULL: S is on the pages */
    rci_page pseudo;      /* a partial run: its bump is the count of members */
    bool overflow;        /* phase 2: an object could not be pushed on the mark stack */
    size_t survivors[3];  /* per old generation: objects of S found reachable */
    size_t collected;     /* garbage freed by phase 5 or saved by 3d' (COUNTED) */
    size_t uncollectable; /* unreachable objects kept by legacy finalizers (phase 3a') */
    size_t set_size;      /* objects in S (phase 1) */
    size_t reachable;     /* objects of S marked REACHABLE (phase 2) */
    bool watch_rites;     /* phase 1 looks for objects needing rites (some type has a
                           finalizer or some weakref exists) */
    bool any_rites;       /* phase 1 saw an object of S that needs rites */
    bool rites;           /* phase 3 ran: the garbage is the GARBAGE objects not REACHABLE */
    bool fused;           /* FUSED: the neighbourhood walk did phase 1's subtraction */
    bool doom;            /* phase 5 hands the garbage to the doomed list (section 9, DOOMED)
                             instead of freeing it */
    rci_doom_batch batch; /* that hand-over */
    size_t late_calls;    /* heap->wr.wr_calls mark of the callbacks due after phase 5 */
} gc_run;

static inline bool in_set(const rc_object *o, const gc_run *run)
{
    if (!rc_is_heap_object(o))
        return false;
    uint32_t ti = o->_tinfo;
    return (ti & (RCI_PENDING | RCI_TRACKED)) == RCI_TRACKED &&
           (ti & RCI_GEN_MASK) - run->lo <= run->span;
}

/* The i-th slot of a page of S, or a partial run's i-th member (pg is then &run->pseudo). */
#define SLOT_AT(run, pg, i)                                                                        \
    ((run)->members != NULL ? (run)->members[i]                                                    \
                            : (rc_object *)((pg)->slots + (size_t)(i) * (pg)->slot_bytes))

/* NOLINTBEGIN(bugprone-macro-parentheses): obj names the loop variable it declares. */
#define FOR_EACH_IN_SET(run, obj)                                                                  \
    for (rci_page *pg_ = (run)->pages; pg_ != NULL; pg_ = pg_->cnext)                              \
        for (uint32_t i_ = 0; i_ < pg_->bump; i_++)                                                \
            for (rc_object *obj = SLOT_AT(run, pg_, i_); obj != NULL && in_set(obj, (run));        \
                 obj = NULL)

/* A partial run's S is generation 1 (lo 1, span 0): in_set in one compare. */
static inline bool in_partial_set(const rc_object *o)
{
    return rc_is_heap_object(o) &&
           (o->_tinfo & (RCI_PENDING | RCI_TRACKED | RCI_GEN_MASK)) == (RCI_TRACKED | 1u);
}

/* Every member of a partial run, untested: until phase 3 runs user code they are all in S
 * (MEMBERS-IN-S, section 4), so none is NULL either. */
#define FOR_EACH_MEMBER(run, obj)                                                                  \
    for (rc_object **m_ = (run)->members, **e_ = m_ + (run)->pseudo.bump, *obj = NULL;             \
         m_ != e_ && ((obj = *m_), true); m_++)

/* Every slot of the pages of S (a partial run: every member); user code may allocate into
 * them (phase 3), so the bump is reread and the caller tests the header. A member's slot
 * may be freed (its header is then 0) or hold a new object (generation 0, outside S). */
#define FOR_EACH_SLOT(run, obj)                                                                    \
    for (rci_page *pg_ = (run)->pages; pg_ != NULL; pg_ = pg_->cnext)                              \
        for (uint32_t i_ = 0; i_ < pg_->bump; i_++)                                                \
            for (rc_object *obj = SLOT_AT(run, pg_, i_); obj != NULL; obj = NULL)
/* NOLINTEND(bugprone-macro-parentheses) */

/* Phase 3 on: a member of the garbage set recorded before user code ran, still alive. */
static inline bool in_garbage_set(const rc_object *o)
{
    return rc_is_heap_object(o) && (o->_tinfo & (RCI_GARBAGE | RCI_PENDING)) == RCI_GARBAGE;
}

/* Phase 3 on: garbage that is still to be freed (not resurrected). */
static inline bool still_garbage(const rc_object *o)
{
    return rc_is_heap_object(o) &&
           (o->_tinfo & (RCI_GARBAGE | RCI_PENDING | RCI_REACHABLE)) == RCI_GARBAGE;
}

/* Debug level 2: the invariant named by check (section 4) on S (gcvalidate.c). */
static void validate(const gc_run *run, rci_gcvalidate_check check)
{
    rci_gcvalidate_set set = {run->pages, run->members, run->lo, run->span, run->rites};
    if (RCI_VALIDATE_PHASES)
        rci_gcvalidate(run->heap, &set, check);
}

/* FUSED: GC-SET on the seeds of a chunked partial run (its buffer's candidates, generation 2
 * for the walk), before the walk (which is phase 1 too) changes their counts and bits. */
static void validate_seeds(rc_heap *heap, rc_object **seeds, size_t n)
{
    if (!RCI_VALIDATE_PHASES)
        return;
    rci_page pseudo;
    memset(&pseudo, 0, sizeof pseudo);
    pseudo.bump = (uint32_t)n;
    rc_object *none = NULL;
    rci_gcvalidate_set set = {&pseudo, seeds != NULL ? seeds : &none, 2, 0, false};
    rci_gcvalidate(heap, &set, RCI_GCV_SET);
}

/* ---- the collected set ----------------------------------------------------------------- */

static int add_page(rc_heap *heap, rci_page *page, void *user)
{
    (void)heap;
    gc_run *run = user;
    page->cnext = run->pages;
    run->pages = page;
    return 0;
}

/* S of a collection of generation gen (lo is 0): the young list, then the gen1 list, or
 * every container page; a partial run's S is its member array. */
static void gather_pages(gc_run *run)
{
    rc_heap *heap = run->heap;
    run->pages = NULL;
    if (run->members != NULL) {
        run->pages = &run->pseudo;
        return;
    }
    if (run->span >= 2) {
        rci_pages_each(heap, true, add_page, run);
        return;
    }
    for (rci_page *p = heap->pages.young; p != NULL; p = p->ynext)
        add_page(heap, p, run);
    if (run->span == 1)
        for (rci_page *p = heap->pages.gen1; p != NULL; p = p->onext)
            if (!(p->lists & RCI_IN_YOUNG))
                add_page(heap, p, run);
}

/* ---- traversal with prefetching ----------------------------------------------------------
 *
 * A collection is bound by cache misses on the headers its references point to. Each
 * visited reference is prefetched and parked in a small ring; the action on it runs
 * RING_SLOTS references later, when its header has arrived. Order does not matter to any
 * phase: phase 1's decrements commute, phase 2 marks a set, phase 4 only decrements.
 */
#define RING_SLOTS 16u

typedef void (*ring_action)(gc_run *run, rc_object *parent, rc_object *ref);

typedef struct ring {
    rc_object *ref[RING_SLOTS];    /* prefetched references waiting for their action */
    rc_object *parent[RING_SLOTS]; /* the object holding each */
    unsigned pos;                  /* next slot to fill (and, when full, the oldest entry) */
    unsigned n;                    /* entries parked */
    ring_action action;
    gc_run *run;
    rc_object *cur_parent; /* the object being traversed */
} ring;

/* Parks ref in the ring and runs act on the entry it displaces; direct: runs act on ref at
 * once. Inlined where act and direct are constants, so that the hot phases (1, 2 and 4) run
 * their action inline, without a call per reference (RING_VISITORS); the rare ones pass the
 * ring's own action.
 * DIRECT: a partial run's phases 1, 2 and 4 act at once, without the ring, and test
 * membership with in_partial_set. Its members were all read by expand_candidates just
 * before (a few thousand objects: section 5a's trigger), so their headers are in cache and
 * parking each reference would only add work (callgrind, churn of bench/interp: the ring
 * cost about 15 instructions per reference). */
static RCI_ALWAYS_INLINE void ring_push(ring *r, rc_object *ref, ring_action act, bool direct)
{
    if (!rc_is_heap_object(ref))
        return;
    if (direct) {
        act(r->run, r->cur_parent, ref);
        return;
    }
    __builtin_prefetch(ref, 1, 3);
    unsigned p = r->pos;
    rc_object *old = r->ref[p];
    rc_object *old_parent = r->parent[p];
    r->ref[p] = ref;
    r->parent[p] = r->cur_parent;
    r->pos = (p + 1) % RING_SLOTS;
    if (r->n == RING_SLOTS)
        act(r->run, old_parent, old);
    else
        r->n++;
}

/* A phase's two ring actions, act (a full set) and act##_partial (a partial run's set),
 * both the inline step with partial fixed. */
#define PHASE_ACTIONS(act, step)                                                                   \
    static void act(gc_run *run, rc_object *parent, rc_object *ref)                                \
    {                                                                                              \
        step(run, parent, ref, false);                                                             \
    }                                                                                              \
    static void act##_partial(gc_run *run, rc_object *parent, rc_object *ref)                      \
    {                                                                                              \
        step(run, parent, ref, true);                                                              \
    }

/* The visitors of a traverse function for the action act: name through the ring,
 * name##_partial straight to act##_partial (DIRECT). */
#define RING_VISITORS(name, act)                                                                   \
    static int name(rc_heap *heap, rc_object *ref, void *arg)                                      \
    {                                                                                              \
        (void)heap;                                                                                \
        ring_push(arg, ref, act, false);                                                           \
        return 0;                                                                                  \
    }                                                                                              \
    static int name##_partial(rc_heap *heap, rc_object *ref, void *arg)                            \
    {                                                                                              \
        (void)heap;                                                                                \
        ring_push(arg, ref, act##_partial, true);                                                  \
        return 0;                                                                                  \
    }

/* The generic visitor: the ring's own action, called through its pointer. */
static int visit_ring(rc_heap *heap, rc_object *ref, void *arg)
{
    (void)heap;
    ring *r = arg;
    ring_push(r, ref, r->action, false);
    return 0;
}

/* Runs the action of every parked entry, oldest first, and empties the ring. */
static RCI_ALWAYS_INLINE void ring_flush_with(ring *r, ring_action act)
{
    unsigned n = r->n;
    r->n = 0;
    for (unsigned i = RING_SLOTS - n; i < RING_SLOTS; i++) {
        unsigned p = (r->pos + i) % RING_SLOTS;
        act(r->run, r->parent[p], r->ref[p]);
    }
}

static void ring_flush(ring *r)
{
    ring_flush_with(r, r->action);
}

static void ring_init(ring *r, gc_run *run, ring_action action)
{
    memset(r, 0, sizeof *r);
    r->run = run;
    r->action = action;
}

/* Traverses obj into the ring (direct: straight to act, DIRECT). DESCRIBED: a type without
 * a traverse function of its own (reference offsets, and the trailing array of ARRAY,
 * type.c) is read here, inline, in the order of type.c's array_traverse, with no call per
 * reference; a traverse function gets visit, the visitor for act. */
static RCI_ALWAYS_INLINE void ring_traverse_with(ring *r, rc_object *obj, ring_action act,
                                                 rc_visit_fn visit, bool direct)
{
    rc_heap *heap = r->run->heap;
    const rc_type *t = rci_type_of(heap, obj);
    r->cur_parent = obj;
    if (t->user_traverse) {
        t->traverse(heap, obj, visit, r);
        return;
    }
    /* In locals: the actions' stores could alias the type's fields. */
    const size_t *offsets = t->ref_offsets, n_offsets = t->n_ref_offsets;
    for (size_t i = 0; i < n_offsets; i++) {
        rc_object *ref;
        memcpy(&ref, (char *)obj + offsets[i], sizeof ref); /* NOLINT(bugprone-sizeof-expression) */
        ring_push(r, ref, act, direct);
    }
    if (t->has_array) {
        size_t n = rci_type_array_count(t, obj);
        rc_object **items = rci_type_array_items(t, obj);
        for (size_t i = 0; i < n; i++)
            ring_push(r, items[i], act, direct);
    }
}

static void ring_traverse(ring *r, rc_object *obj)
{
    ring_traverse_with(r, obj, r->action, visit_ring, false);
}

/* ---- phase 1 ----------------------------------------------------------------------------- */

static RCI_ALWAYS_INLINE void subtract_ref(gc_run *run, rc_object *parent, rc_object *ref,
                                           bool partial)
{
    if (partial ? in_partial_set(ref) : in_set(ref, run))
        ref->_refcnt--;
    else
        parent->_tinfo |= RCI_EXTREFS;
}
PHASE_ACTIONS(act_subtract, subtract_ref)
RING_VISITORS(visit_subtract, act_subtract)

static RCI_ALWAYS_INLINE void subtract_one(gc_run *run, ring *r, rc_object *obj, bool watch,
                                           bool partial)
{
    run->set_size++;
    if (watch)
        run->any_rites = run->any_rites || rci_object_needs_rites(run->heap, obj);
    if (partial)
        ring_traverse_with(r, obj, act_subtract_partial, visit_subtract_partial, true);
    else
        ring_traverse_with(r, obj, act_subtract, visit_subtract, false);
}

static RCI_ALWAYS_INLINE void subtract_pass(gc_run *run, ring *r, bool watch, bool partial)
{
    if (partial) {
        FOR_EACH_MEMBER(run, obj) /* MEMBERS-IN-S */
        {
            subtract_one(run, r, obj, watch, true);
        }
    } else {
        FOR_EACH_IN_SET(run, obj)
        {
            subtract_one(run, r, obj, watch, false);
        }
    }
}

static void subtract_internal_refs(gc_run *run)
{
    if (run->fused) { /* FUSED: the counts are subtracted; what is left is to count S */
        run->set_size = run->pseudo.bump;
        if (run->watch_rites)
            for (uint32_t i = 0; i < run->pseudo.bump && !run->any_rites; i++)
                run->any_rites = rci_object_needs_rites(run->heap, run->members[i]);
        return;
    }
    ring r;
    ring_init(&r, run, act_subtract);
    if (run->members != NULL) {
        if (run->watch_rites)
            subtract_pass(run, &r, true, true);
        else
            subtract_pass(run, &r, false, true);
        return;
    }
    if (run->watch_rites)
        subtract_pass(run, &r, true, false);
    else
        subtract_pass(run, &r, false, false);
    ring_flush_with(&r, act_subtract);
}

/* ---- phase 2 ----------------------------------------------------------------------------- */

static bool stack_push(rc_heap *heap, rc_object *obj)
{
    if (!rci_util_vec_reserve(heap, &heap->gc.mark_stack, &heap->gc.mark_cap, heap->gc.mark_len + 1,
                              sizeof(rc_object *), 256))
        return false;
    heap->gc.mark_stack[heap->gc.mark_len++] = obj;
    return true;
}

static RCI_ALWAYS_INLINE void mark_ref(gc_run *run, rc_object *parent, rc_object *ref, bool partial)
{
    (void)parent;
    if (!(partial ? in_partial_set(ref) : in_set(ref, run)))
        return;
    ref->_refcnt++;
    if (!(ref->_tinfo & RCI_REACHABLE)) {
        ref->_tinfo |= RCI_REACHABLE;
        run->reachable++;
        if (!stack_push(run->heap, ref))
            run->overflow = true;
    }
}
PHASE_ACTIONS(act_mark, mark_ref)

/* Follows the references of everything on the mark stack (and parked in the ring). */
static RCI_ALWAYS_INLINE void drain_with(ring *r, ring_action act, rc_visit_fn visit, bool direct)
{
    rc_heap *heap = r->run->heap;
    for (;;) {
        while (heap->gc.mark_len > 0) {
            rc_object *obj = heap->gc.mark_stack[--heap->gc.mark_len];
            obj->_tinfo |= RCI_SCANNED;
            ring_traverse_with(r, obj, act, visit, direct);
        }
        if (direct)
            return;
        ring_flush_with(r, act);
        if (heap->gc.mark_len == 0)
            return;
    }
}

static void drain(ring *r)
{
    drain_with(r, r->action, visit_ring, false);
}

static RCI_ALWAYS_INLINE void mark_from_with(ring *r, rc_object *obj, ring_action act,
                                             rc_visit_fn visit, bool direct)
{
    obj->_tinfo |= RCI_REACHABLE;
    r->run->reachable++;
    if (!stack_push(r->run->heap, obj)) {
        r->run->overflow = true;
        return;
    }
    drain_with(r, act, visit, direct);
}

static void mark_from(ring *r, rc_object *obj)
{
    mark_from_with(r, obj, r->action, visit_ring, false);
}

RING_VISITORS(visit_mark, act_mark)

static void mark_reachable(gc_run *run)
{
    ring r;
    ring_init(&r, run, act_mark);
    if (run->members != NULL) {
        FOR_EACH_MEMBER(run, obj)
        {
            if (obj->_refcnt > 0 && !(obj->_tinfo & RCI_REACHABLE))
                mark_from_with(&r, obj, act_mark_partial, visit_mark_partial, true);
        }
    } else {
        FOR_EACH_IN_SET(run, obj)
        {
            if (obj->_refcnt > 0 && !(obj->_tinfo & RCI_REACHABLE))
                mark_from_with(&r, obj, act_mark, visit_mark, false);
        }
    }
    /* Checkpoint: every object marked REACHABLE is reachable; those not SCANNED (stack
     * overflow) still need their references followed. */
    while (run->overflow) {
        run->overflow = false;
        FOR_EACH_IN_SET(run, obj)
        {
            if ((obj->_tinfo & (RCI_REACHABLE | RCI_SCANNED)) == RCI_REACHABLE) {
                obj->_tinfo |= RCI_SCANNED;
                ring_traverse(&r, obj);
                drain(&r);
            }
        }
    }
}

/* ---- phase 3 ----------------------------------------------------------------------------- */

/* Types registered since the last look are checked for a finalize function. */
static bool rites_possible(rc_heap *heap)
{
    for (; heap->gc.fin_types_seen < heap->types.n_types; heap->gc.fin_types_seen++) {
        rc_type *t = heap->types.table[heap->gc.fin_types_seen];
        if (t != NULL && (t->finalize != NULL || t->legacy_finalize != NULL))
            heap->gc.fin_types++;
    }
    return heap->gc.fin_types > 0 || heap->wr.wr_used > 0 ||
           (heap->gcmod.gc_debug & (RC_GC_DEBUG_COLLECTABLE | RC_GC_DEBUG_SAVEALL)) != 0;
}

static bool garbage_needs_rites(gc_run *run)
{
    rc_heap *heap = run->heap;
    if (heap->gcmod.gc_debug & (RC_GC_DEBUG_COLLECTABLE | RC_GC_DEBUG_SAVEALL))
        return true;
    if (!run->any_rites)
        return false;
    FOR_EACH_IN_SET(run, obj)
    {
        if (!(obj->_tinfo & RCI_REACHABLE) && rci_object_needs_rites(heap, obj))
            return true;
    }
    return false;
}

static void act_restore(gc_run *run, rc_object *parent, rc_object *ref)
{
    (void)parent;
    if (in_set(ref, run))
        ref->_refcnt++;
}

/* 3a. Records the garbage (RCI_GARBAGE) and gives back the references it holds to objects
 * of S, which phase 1 subtracted and phase 2 did not restore. */
static void restore_counts(gc_run *run)
{
    ring r;
    ring_init(&r, run, act_restore);
    FOR_EACH_IN_SET(run, obj)
    {
        if (obj->_tinfo & RCI_REACHABLE)
            continue;
        obj->_tinfo |= RCI_GARBAGE;
        ring_traverse(&r, obj);
    }
    ring_flush(&r);
}

static void act_mark_uncollectable(gc_run *run, rc_object *parent, rc_object *ref)
{
    (void)parent;
    if (!in_garbage_set(ref))
        return;
    ref->_tinfo = (ref->_tinfo & ~RCI_GARBAGE) | RCI_UNCOLLECTABLE | RCI_REACHABLE;
    if (!stack_push(run->heap, ref))
        run->overflow = true;
}

/* 3a'. CPython's move_legacy_finalizers and move_legacy_finalizer_reachable: garbage with a
 * legacy finalizer, and all the garbage it reaches, leaves the garbage set (GARBAGE off) and
 * becomes a survivor (REACHABLE) marked UNCOLLECTABLE. Counts are exact (3a), so nothing
 * else needs changing: phase 4 releases the references the rest of the garbage holds to it. */
static void move_legacy_finalizers(gc_run *run)
{
    rc_heap *heap = run->heap;
    ring r;
    ring_init(&r, run, act_mark_uncollectable);
    run->overflow = false;
    FOR_EACH_SLOT(run, obj)
    {
        if (in_garbage_set(obj) && rci_type_of(heap, obj)->legacy_finalize != NULL) {
            act_mark_uncollectable(run, NULL, obj);
            drain(&r);
        }
    }
    while (run->overflow) {
        run->overflow = false;
        FOR_EACH_SLOT(run, obj)
        {
            if ((obj->_tinfo & (RCI_UNCOLLECTABLE | RCI_SCANNED | RCI_PENDING)) ==
                RCI_UNCOLLECTABLE) {
                obj->_tinfo |= RCI_SCANNED;
                ring_traverse(&r, obj);
                drain(&r);
            }
        }
    }
}

/* CPython's handle_legacy_finalizers, first half (user code may still run: the debug
 * output): each object still UNCOLLECTABLE is counted and reported. */
static void handle_legacy_finalizers(gc_run *run)
{
    rc_heap *heap = run->heap;
    FOR_EACH_SLOT(run, obj)
    {
        if ((obj->_tinfo & (RCI_UNCOLLECTABLE | RCI_PENDING)) != RCI_UNCOLLECTABLE)
            continue;
        run->uncollectable++;
        if (heap->gcmod.gc_debug & RC_GC_DEBUG_UNCOLLECTABLE)
            rci_gcmodule_out(heap, "gc: uncollectable <%s %p>", rci_type_of(heap, obj)->name,
                             (void *)obj);
    }
}

/* The second half, after 3d' (no user code runs): those with a legacy finalizer (with
 * SAVEALL, all) go to the garbage list, after what SAVEALL saved, as in CPython. */
static void save_legacy_finalizers(gc_run *run)
{
    rc_heap *heap = run->heap;
    rc_object *list = NULL;
    FOR_EACH_SLOT(run, obj)
    {
        if ((obj->_tinfo & (RCI_UNCOLLECTABLE | RCI_PENDING)) != RCI_UNCOLLECTABLE)
            continue;
        if (rci_type_of(heap, obj)->legacy_finalize == NULL &&
            !(heap->gcmod.gc_debug & RC_GC_DEBUG_SAVEALL))
            continue;
        if (list == NULL)
            list = rci_gcmodule_garbage_list(heap);
        if (list == NULL || rc_list_append(heap, list, obj) != RC_OK) {
            heap->gc.unsaved_garbage++;
            rci_error(heap, RC_ENOMEM,
                      "uncollectable %p not saved in the garbage list: out of memory", (void *)obj);
        }
    }
}

static bool wr_is_garbage(const rc_object *wr)
{
    return still_garbage(wr);
}

/* 3b. Weakrefs to garbage are cleared and weakrefs that are garbage detached, all before
 * any user code runs; then the callbacks of the cleared weakrefs that are not garbage. */
static void handle_weakrefs(gc_run *run)
{
    rc_heap *heap = run->heap;
    size_t mark = heap->wr.wr_calls_len;
    uint32_t wr_index = heap->wr.t_weakref != NULL ? heap->wr.t_weakref->index : 0;
    uint32_t proxy_index = heap->wr.t_weakproxy != NULL ? heap->wr.t_weakproxy->index : 0;
    FOR_EACH_SLOT(run, obj)
    {
        if (!in_garbage_set(obj))
            continue;
        if (obj->_tinfo & RCI_WEAKREFD)
            rci_weakrefs_clear(heap, obj, true, wr_is_garbage);
        uint32_t ti = rci_type_index(obj);
        if (ti == wr_index || ti == proxy_index)
            rci_weakref_detach(heap, obj);
    }
    rci_weakref_calls_run(heap, mark);
}

/* 3c. Finalizers, each under a reference of its own so that a finalizer dropping the last
 * outside reference to another garbage object cannot free the one running. */
static void finalize_garbage(gc_run *run)
{
    rc_heap *heap = run->heap;
    FOR_EACH_SLOT(run, obj)
    {
        if (!in_garbage_set(obj) || (obj->_tinfo & RCI_FINALIZED))
            continue;
        rc_type *t = rci_type_of(heap, obj);
        if (t->finalize == NULL)
            continue;
        obj->_tinfo |= RCI_FINALIZED;
        obj->_refcnt++;
        t->finalize(heap, obj);
        rc_decref(heap, obj);
    }
}

static void act_subtract_garbage(gc_run *run, rc_object *parent, rc_object *ref)
{
    (void)run;
    (void)parent;
    if (in_garbage_set(ref))
        ref->_refcnt--;
}

static void act_mark_garbage(gc_run *run, rc_object *parent, rc_object *ref)
{
    (void)parent;
    if (!in_garbage_set(ref))
        return;
    ref->_refcnt++;
    if (!(ref->_tinfo & RCI_REACHABLE)) {
        ref->_tinfo |= RCI_REACHABLE;
        if (!stack_push(run->heap, ref))
            run->overflow = true;
    }
}

/* 3d. Phases 1 and 2 again, on what is left of the garbage set: whatever user code made
 * reachable from outside it (resurrection) is marked REACHABLE and survives; the rest,
 * counts 0, is still garbage. */
static void handle_resurrected(gc_run *run)
{
    ring r;
    ring_init(&r, run, act_subtract_garbage);
    FOR_EACH_SLOT(run, obj)
    {
        if (in_garbage_set(obj))
            ring_traverse(&r, obj);
    }
    ring_flush(&r);
    ring_init(&r, run, act_mark_garbage);
    run->overflow = false;
    FOR_EACH_SLOT(run, obj)
    {
        if (in_garbage_set(obj) && obj->_refcnt > 0 && !(obj->_tinfo & RCI_REACHABLE))
            mark_from(&r, obj);
    }
    while (run->overflow) {
        run->overflow = false;
        FOR_EACH_SLOT(run, obj)
        {
            if (in_garbage_set(obj) &&
                (obj->_tinfo & (RCI_REACHABLE | RCI_SCANNED)) == RCI_REACHABLE) {
                obj->_tinfo |= RCI_SCANNED;
                ring_traverse(&r, obj);
                drain(&r);
            }
        }
    }
}

static void act_restore_garbage(gc_run *run, rc_object *parent, rc_object *ref)
{
    (void)run;
    (void)parent;
    if (in_garbage_set(ref))
        ref->_refcnt++;
}

/* 3d'. RC_GC_DEBUG_SAVEALL: the garbage left after 3d is kept in rc_gc_garbage instead of
 * being freed, and counts as collected (COUNTED). 3d left the references it holds to the
 * garbage set subtracted: they are given back first, then each object becomes a REACHABLE
 * survivor held by the list. If the list cannot grow, an object not saved survives as
 * garbage for the next collection. */
static void save_garbage(gc_run *run)
{
    rc_heap *heap = run->heap;
    ring r;
    ring_init(&r, run, act_restore_garbage);
    FOR_EACH_SLOT(run, obj)
    {
        if (still_garbage(obj))
            ring_traverse(&r, obj);
    }
    ring_flush(&r);
    rc_object *list = rci_gcmodule_garbage_list(heap);
    FOR_EACH_SLOT(run, obj)
    {
        if (!still_garbage(obj))
            continue;
        obj->_tinfo |= RCI_REACHABLE;
        run->collected++;
        if (list == NULL || rc_list_append(heap, list, obj) != RC_OK) {
            heap->gc.unsaved_garbage++;
            rci_error(heap, RC_ENOMEM, "garbage %p not saved in the garbage list: out of memory",
                      (void *)obj);
        }
    }
}

/* 3e. Weakrefs made by finalizers to objects that stay garbage: cleared now, callbacks
 * after phase 5, when counts are exact again. */
static void clear_late_weakrefs(gc_run *run)
{
    rc_heap *heap = run->heap;
    run->late_calls = heap->wr.wr_calls_len;
    FOR_EACH_SLOT(run, obj)
    {
        if (still_garbage(obj) && (obj->_tinfo & RCI_WEAKREFD))
            rci_weakrefs_clear(heap, obj, true, wr_is_garbage);
    }
}

static void debug_collectable(gc_run *run)
{
    rc_heap *heap = run->heap;
    FOR_EACH_SLOT(run, obj)
    {
        if (in_garbage_set(obj))
            rci_gcmodule_out(heap, "gc: collectable <%s %p>", rci_type_of(heap, obj)->name,
                             (void *)obj);
    }
}

static void run_rites(gc_run *run)
{
    rc_heap *heap = run->heap;
    if (run->reachable == run->set_size || !garbage_needs_rites(run))
        return;
    run->rites = true;
    restore_counts(run);
    validate(run, RCI_GCV_GARBAGE_RECORDED);
    move_legacy_finalizers(run);
    validate(run, RCI_GCV_LEGACY);
    /* Checkpoint: every count is exact; survivors are REACHABLE, the garbage is GARBAGE,
     * and the part of it a legacy finalizer holds is REACHABLE and UNCOLLECTABLE instead.
     * From here user code may run: objects it allocates carry neither bit, and objects it
     * frees leave the pages (which stay: defer_page_release). */
    if (heap->gcmod.gc_debug & RC_GC_DEBUG_COLLECTABLE)
        debug_collectable(run);
    handle_weakrefs(run);
    finalize_garbage(run);
    handle_legacy_finalizers(run);
    /* Checkpoint: no user code runs from here to the end of phase 5. */
    handle_resurrected(run);
    validate(run, RCI_GCV_RESURRECTED);
    if (heap->gcmod.gc_debug & RC_GC_DEBUG_SAVEALL)
        save_garbage(run);
    if (run->uncollectable > 0)
        save_legacy_finalizers(run);
    clear_late_weakrefs(run);
}

/* ---- phase 4 ----------------------------------------------------------------------------- */

static RCI_ALWAYS_INLINE void release_ref(gc_run *run, rc_object *parent, rc_object *ref,
                                          bool partial)
{
    (void)parent;
    if (!(partial ? in_partial_set(ref) : in_set(ref, run)))
        rc_decref(run->heap, ref);
}
PHASE_ACTIONS(act_release, release_ref)
RING_VISITORS(visit_release, act_release)

/* Only garbage that phase 1 saw holding a reference out of the set (RCI_EXTREFS) needs
 * traversing here; a garbage set closed under its references costs nothing. */
static void act_release_rites(gc_run *run, rc_object *parent, rc_object *ref)
{
    (void)parent;
    if (!in_garbage_set(ref))
        rc_decref(run->heap, ref);
}

/* After phase 3 the garbage drops every reference except those to the garbage set (phase
 * 3d subtracted them): those to survivors of S were restored by phase 3a. */
static void release_external_refs_rites(gc_run *run)
{
    rc_heap *heap = run->heap;
    ring r;
    ring_init(&r, run, act_release_rites);
    heap->objs.defer_free = true;
    FOR_EACH_SLOT(run, obj)
    {
        if (still_garbage(obj)) {
            rc_assert(heap, obj->_refcnt == 0);
            run->collected++;
            ring_traverse(&r, obj);
        }
    }
    ring_flush(&r);
}

static void release_external_refs(gc_run *run)
{
    rc_heap *heap = run->heap;
    if (run->rites) {
        release_external_refs_rites(run);
        return;
    }
    if (run->reachable == run->set_size)
        return;
    ring r;
    ring_init(&r, run, act_release);
    heap->objs.defer_free = true;
    /* the garbage is what phase 2 did not mark (its counts are 0: GC-RELEASED checks) */
    run->collected = run->set_size - run->reachable;
    if (run->members != NULL) {
        FOR_EACH_MEMBER(run, obj)
        {
            if ((obj->_tinfo & (RCI_REACHABLE | RCI_EXTREFS)) == RCI_EXTREFS)
                ring_traverse_with(&r, obj, act_release_partial, visit_release_partial, true);
        }
        return;
    }
    FOR_EACH_IN_SET(run, obj)
    {
        if ((obj->_tinfo & (RCI_REACHABLE | RCI_EXTREFS)) == RCI_EXTREFS)
            ring_traverse_with(&r, obj, act_release, visit_release, false);
    }
    ring_flush_with(&r, act_release);
}

/* ---- phase 5 ----------------------------------------------------------------------------- */

/* Section 9, DOOMED: an automatic collection with increments on (and stress mode, at any
 * size) hands garbage larger than one release slice to the doomed list; rc_collect, the
 * stop-the-world configuration and the generational schedule free it here. */
static void choose_release(gc_run *run, bool automatic)
{
    rc_heap *heap = run->heap;
    run->doom = automatic && !heap->gcincr.stw && rci_gc_candidates(heap) &&
                run->collected > (heap->gc.stress ? 0 : rci_doomed_slice_objects(heap));
    if (run->doom)
        rci_doomed_batch_begin(heap, &run->batch);
}

/* A garbage object whose references are all given up (phases 1, 3d and 4) leaves the
 * collector's books; it is freed, or handed to the doomed list (DOOMED). */
static inline void garbage_gone(gc_run *run, rc_object *obj)
{
    rc_heap *heap = run->heap;
    if (obj->_tinfo & RCI_ORIGIN)
        rci_origin_forget(heap, obj);
    if (run->doom) {
        rci_doomed_batch_add(heap, &run->batch, obj); /* untracked by the batch's end */
        return;
    }
    rci_object_untrack_accounting(heap, obj);
    rci_object_free(heap, obj);
}

/* Phase 5 after phase 3: objects allocated by user code (neither bit) stay in generation
 * 0 and keep their page on the young list. */
static void free_garbage_and_promote_rites(gc_run *run)
{
    rc_heap *heap = run->heap;
    unsigned target = run->target;
    const uint32_t bits =
        RCI_REACHABLE | RCI_SCANNED | RCI_EXTREFS | RCI_GARBAGE | RCI_UNCOLLECTABLE;
    for (rci_page *pg = run->pages; pg != NULL; pg = pg->cnext) {
        rci_page_unlist_gen(heap, pg, 0);
        if (run->span >= 1)
            rci_page_unlist_gen(heap, pg, 1);
        bool promoted_here = false, young_here = false;
        /* Not RCI_PAGE_FOR_EACH_SLOT: its end, recomputed from the bump at every step,
         * costs one more instruction per slot here (callgrind, cycles 100k node: +0.37%). */
        for (uint32_t i = 0; i < pg->bump; i++) {
            rc_object *obj = (rc_object *)(pg->slots + (size_t)i * pg->slot_bytes);
            if (!in_set(obj, run))
                continue;
            if (obj->_tinfo & RCI_REACHABLE) {
                run->survivors[rci_object_gen(obj)]++;
                obj->_tinfo = (obj->_tinfo & ~(bits | RCI_GEN_MASK)) | target;
                promoted_here = true;
            } else if (obj->_tinfo & RCI_GARBAGE) {
                garbage_gone(run, obj);
            } else {
                young_here = young_here || rci_object_gen(obj) == 0;
            }
        }
        if (promoted_here && target == 1)
            rci_page_note_gen(heap, pg, 1);
        if (young_here)
            rci_page_note_gen(heap, pg, 0);
    }
}

/* Phase 5 of a partial run: its members (generation 1, every object of that generation)
 * are freed or promoted, then no page holds a generation-1 object. A member's slot freed
 * by user code in phase 3 is 0 or a new object of generation 0: outside S. */
static void free_garbage_and_promote_members(gc_run *run)
{
    rc_heap *heap = run->heap;
    const uint32_t bits =
        RCI_REACHABLE | RCI_SCANNED | RCI_EXTREFS | RCI_GARBAGE | RCI_UNCOLLECTABLE | RCI_GEN_MASK;
    if (!run->rites) {
        /* MEMBERS-IN-S: no user code ran; every member is generation 1 */
        size_t kept = 0, gone = 0;
        /* garbage_gone's cases in one test: doomed (every member is TRACKED), or a site */
        const uint32_t slow = run->doom ? RCI_TRACKED : RCI_ORIGIN;
        const uint32_t target = run->target;
        FOR_EACH_MEMBER(run, obj)
        {
            uint32_t ti = obj->_tinfo;
            if (ti & RCI_REACHABLE) {
                kept++;
                obj->_tinfo = (ti & ~bits) | target;
            } else if (ti & slow) {
                garbage_gone(run, obj);
            } else { /* garbage_gone, its accounting counted in gone */
                gone++;
                obj->_tinfo = ti & ~(RCI_TRACKED | RCI_GEN_MASK);
                rci_object_free(heap, obj);
            }
        }
        run->survivors[1] += kept;
        heap->gc.gen_size[1] -= gone;
    } else {
        FOR_EACH_IN_SET(run, obj)
        {
            if (obj->_tinfo & RCI_REACHABLE) {
                run->survivors[rci_object_gen(obj)]++;
                obj->_tinfo = (obj->_tinfo & ~bits) | run->target;
            } else if (obj->_tinfo & RCI_GARBAGE) {
                garbage_gone(run, obj);
            }
        }
    }
    while (heap->pages.gen1 != NULL)
        rci_page_unlist_gen(heap, heap->pages.gen1, 1);
}

static void free_garbage_and_promote(gc_run *run)
{
    rc_heap *heap = run->heap;
    unsigned target = run->target;
    if (run->members != NULL) {
        free_garbage_and_promote_members(run);
        return;
    }
    if (run->rites) {
        free_garbage_and_promote_rites(run);
        return;
    }
    for (rci_page *pg = run->pages; pg != NULL; pg = pg->cnext) {
        rci_page_unlist_gen(heap, pg, 0);
        if (run->span >= 1)
            rci_page_unlist_gen(heap, pg, 1);
        bool promoted_here = false;
        /* Not RCI_PAGE_FOR_EACH_SLOT: its end, recomputed from the bump at every step,
         * costs one more instruction per slot here (callgrind, cycles 100k node: +0.37%). */
        for (uint32_t i = 0; i < pg->bump; i++) {
            rc_object *obj = (rc_object *)(pg->slots + (size_t)i * pg->slot_bytes);
            if (!in_set(obj, run))
                continue;
            if (obj->_tinfo & RCI_REACHABLE) {
                run->survivors[rci_object_gen(obj)]++;
                obj->_tinfo =
                    (obj->_tinfo & ~(RCI_REACHABLE | RCI_SCANNED | RCI_EXTREFS | RCI_GEN_MASK)) |
                    target;
                promoted_here = true;
            } else {
                garbage_gone(run, obj);
            }
        }
        if (promoted_here && target == 1)
            rci_page_note_gen(heap, pg, 1);
    }
}

/* Moves the survivor counts between generations and updates the long-lived figures. */
static void account_promotion(gc_run *run)
{
    rc_heap *heap = run->heap;
    unsigned target = run->target;
    size_t moved = 0;
    for (unsigned g = run->lo; g <= run->lo + run->span; g++) {
        heap->gc.gen_size[g] -= run->survivors[g];
        moved += run->survivors[g];
    }
    heap->gc.gen_size[target] += moved;
    if (run->span == 2) {
        heap->gc.long_lived_pending = 0;
        heap->gc.long_lived_total = heap->gc.gen_size[2];
    } else if (target == 2) {
        heap->gc.long_lived_pending += moved;
    }
}

static void shrink_mark_stack(rc_heap *heap)
{
    if (heap->gc.mark_cap > MARK_STACK_KEEP) {
        rci_mem_free(heap, heap->gc.mark_stack, heap->gc.mark_cap * sizeof(rc_object *));
        heap->gc.mark_stack = NULL;
        heap->gc.mark_cap = 0;
    }
}

/* Drops the references heap->objs.deferred holds (object.c, RITES-DEFER): each object whose count
 * reaches zero now gets its finalizer and weakref callbacks. The array is taken off the
 * heap first, so that rites running a nested release see an empty one. */
static void run_deferred(rc_heap *heap)
{
    rc_object **objs = heap->objs.deferred;
    size_t n = heap->objs.deferred_len, cap = heap->objs.deferred_cap;
    if (n == 0)
        return;
    heap->objs.deferred = NULL;
    heap->objs.deferred_len = heap->objs.deferred_cap = 0;
    for (size_t i = 0; i < n; i++)
        rc_decref(heap, objs[i]);
    if (heap->objs.deferred == NULL) {
        heap->objs.deferred = objs;
        heap->objs.deferred_cap = cap;
    } else {
        rci_mem_free(heap, objs, cap * sizeof(rc_object *));
    }
}

/* Debug level 3: the heap must pass rc_heap_check before and after every collection;
 * a failure is reported as misuse, the only channel a collection has. */
static void check_around(rc_heap *heap, const char *when)
{
    if (!RCI_CHECK_EACH_COLLECTION || rci_check_now(heap) == RC_OK)
        return;
    /* A copy: rci_error_misuse formats its message into heap->err.errmsg, where the check's is. */
    char why[RCI_ERRMSG_BYTES];
    memcpy(why, heap->err.errmsg, sizeof why);
    rci_error_misuse(heap, RC_MISUSE_CORRUPT_HEAP, NULL, __FILE__, __LINE__,
                     "heap check failed %s a collection: %s", when, why);
}

static size_t collect_phases(rc_heap *heap, unsigned gen, bool partial, bool automatic);

/* One collection: of generation gen and the younger ones, or (partial) of the candidates
 * and their neighbourhood (section 5); returns the unreachable objects it counts
 * (COUNTED). */
static size_t collect(rc_heap *heap, unsigned gen, bool partial, bool automatic)
{
    heap->gc.collecting = true; /* also while checking: the check runs traverse functions */
    check_around(heap, "before");
    size_t garbage = collect_phases(heap, gen, partial, automatic);
    check_around(heap, "after");
    heap->gc.collecting = false;
    return garbage;
}

/* ---- the candidate schedule (section 5) --------------------------------------------------- */

static bool candidate_schedule(const rc_heap *heap)
{
    return rci_gc_candidates(heap);
}

/* One more slot in a candidate buffer (*cap full): doubles from 256. */
static bool buf_grow(rc_heap *heap, rc_object ***buf, size_t *cap)
{
    return rci_util_vec_grow(heap, buf, cap, *cap + 1, sizeof(rc_object *), 256);
}

/* Keeps the entries of heap->gc.cand that are generation-1 objects, each once (SCANNED marks
 * the kept ones while compacting); drops stale entries (freed slots, or slots reused by
 * objects that are not candidates). Pages of stale entries are still mapped (page.c). */
static void cand_compact(rc_heap *heap)
{
    size_t n = 0;
    for (size_t i = 0; i < heap->gc.cand_len; i++) {
        rc_object *o = heap->gc.cand[i];
        uint32_t ti = o->_tinfo;
        if ((ti & (RCI_PENDING | RCI_TRACKED | RCI_GEN_MASK | RCI_SCANNED)) != (RCI_TRACKED | 1u))
            continue;
        o->_tinfo = ti | RCI_SCANNED;
        heap->gc.cand[n++] = o;
    }
    for (size_t i = 0; i < n; i++)
        heap->gc.cand[i]->_tinfo &= ~RCI_SCANNED;
    heap->gc.cand_len = n;
}

bool rci_gc_partial_due(const rc_heap *heap)
{
    /* CHUNKS: the rest of a chunked run is taken at the next allocation */
    return heap->gc.gen_size[1] > heap->gc.cand_trigger || heap->gc.rest_len > 0;
}

/* Keeps heap->gc.gc_trigger in step with stress, gc_enabled, the thresholds and, under the
 * candidate schedule, the candidates waiting: whenever rci_gc_alloc_check could collect,
 * gen[0].count exceeding the trigger calls it. */
static void trigger_update(rc_heap *heap)
{
    bool on = heap->gc.gc_enabled && heap->gc.gen[0].threshold > 0;
    bool due = candidate_schedule(heap) && (heap->gc.full_due || heap->gc.cand_overflow ||
                                            rci_gc_partial_due(heap) || heap->gcincr.run != NULL);
    if (on && !heap->gc.stress && !candidate_schedule(heap))
        heap->gc.trigger_base = heap->gc.gen[0].threshold;
    else
        heap->gc.trigger_base = heap->gc.stress || (on && due) ? 0 : SIZE_MAX;
    /* Section 9, DOOMED: release slices are paced by tracked allocations. */
    heap->gc.gc_trigger = heap->gc.doomed != NULL ? 0 : heap->gc.trigger_base;
    /* CAND-FAST: a buffering past the trigger calls this function again, unless that could
     * change nothing (the trigger is already 0, or no automatic work may start). */
    heap->gc.cand_limit = heap->gc.gc_trigger != 0 && on ? heap->gc.cand_trigger : SIZE_MAX;
}

void rci_gc_trigger_update(rc_heap *heap)
{
    trigger_update(heap);
}

/* obj, tracked, not pending, generation 0 or 2, becomes a candidate: generation 1, its page
 * on the gen1 list, and an entry in heap->gc.cand. If the buffer cannot grow the object is a
 * candidate all the same (generation 1 is what the collector reads); cand_overflow makes the
 * next automatic run a full collection, which examines every generation. */
static void buffer_candidate(rc_heap *heap, rc_object *obj)
{
    if (!heap->gc.cand_overflow && heap->gc.cand_len == heap->gc.cand_cap) {
        if (heap->gc.cand_len >= 2 * (heap->gc.gen_size[1] + 64))
            cand_compact(heap);
        if (heap->gc.cand_len == heap->gc.cand_cap &&
            !buf_grow(heap, &heap->gc.cand, &heap->gc.cand_cap))
            heap->gc.cand_overflow = true;
    }
    if (!heap->gc.cand_overflow)
        heap->gc.cand[heap->gc.cand_len++] = obj;
    heap->gc.gen_size[obj->_tinfo & RCI_GEN_MASK]--;
    heap->gc.gen_size[1]++;
    obj->_tinfo = (obj->_tinfo & ~RCI_GEN_MASK) | 1u;
    rci_page *page = rci_page_of(obj);
    if (!(page->lists & RCI_IN_GEN1))
        rci_page_note_gen(heap, page, 1);
    if (heap->gc.gc_trigger != 0 &&
        (heap->gc.cand_overflow || heap->gc.gen_size[1] > heap->gc.cand_trigger))
        trigger_update(heap);
}

/* During phases 1-5 the collected set must not change: the candidate waits in heap->gc.late
 * under a reference of its own, dropped (and so buffered) when the collection ends. Garbage
 * of the running collection (phase 3's user code) is left to it. If heap->gc.late cannot
 * grow, the next automatic run is a full collection. */
static void hold_late(rc_heap *heap, rc_object *obj)
{
    if (obj->_tinfo & RCI_GARBAGE)
        return;
    if (heap->gc.late_len == heap->gc.late_cap &&
        !buf_grow(heap, &heap->gc.late, &heap->gc.late_cap)) {
        heap->gc.full_due = true;
        return;
    }
    obj->_refcnt++;
    /* late_len < late_cap here, so late was allocated (buf_grow, now or before) */
    heap->gc.late[heap->gc.late_len++] = obj; /* NOLINT(clang-analyzer-core.NullDereference) */
}

/* ACYCLIC-NOW (section 5a): at most this many references are looked at before buffering. */
#define ACYCLIC_SCAN_REFS 8u

static bool refs_to_tracked(rc_object *const *refs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const rc_object *ref = refs[i];
        if (rc_is_heap_object(ref) && (ref->_tinfo & (RCI_PENDING | RCI_TRACKED)) == RCI_TRACKED)
            return true;
    }
    return false;
}

static int visit_acyclic(rc_heap *heap, rc_object *ref, void *arg)
{
    (void)heap;
    unsigned *left = arg;
    if (*left == 0 || refs_to_tracked(&ref, 1))
        return 1;
    (*left)--;
    return 0;
}

static RCI_ALWAYS_INLINE bool ref_to_tracked(const rc_object *ref)
{
    return rc_is_heap_object(ref) && (ref->_tinfo & (RCI_PENDING | RCI_TRACKED)) == RCI_TRACKED;
}

/* ACYCLIC-NOW for a type described by reference offsets (traverse NULL) or by offsets and a
 * trailing array (DESCRIBED, read inline as ring_traverse_with does): whether obj may hold
 * a reference to a tracked object (true too when it has more than ACYCLIC_SCAN_REFS). */
static RCI_ALWAYS_INLINE bool described_may_hold_tracked(const rc_type *t, rc_object *obj)
{
    size_t n = t->has_array ? rci_type_array_count(t, obj) : 0;
    if (t->n_ref_offsets + n > ACYCLIC_SCAN_REFS)
        return true;
    for (size_t i = 0; i < t->n_ref_offsets; i++) {
        rc_object *ref;
        /* NOLINTNEXTLINE(bugprone-sizeof-expression) */
        memcpy(&ref, (char *)obj + t->ref_offsets[i], sizeof ref);
        if (ref_to_tracked(ref))
            return true;
    }
    return n > 0 && refs_to_tracked(rci_type_array_items(t, obj), n);
}

/* ACYCLIC-NOW without a call: 1 when obj may hold a reference to a tracked object (it does,
 * or it has more than ACYCLIC_SCAN_REFS references), 0 when it holds none, -1 for a dict or
 * an instance of a type with its own traverse function (may_hold_tracked). */
static RCI_ALWAYS_INLINE int may_hold_tracked_inline(const rc_heap *heap, const rc_type *t,
                                                     rc_object *obj)
{
    if (!t->user_traverse)
        return described_may_hold_tracked(t, obj);
    if (t == heap->types.t_list) {
        const rci_list *l = (const rci_list *)obj;
        return l->len > ACYCLIC_SCAN_REFS || refs_to_tracked(l->items, l->len);
    }
    if (t == heap->types.t_tuple) {
        const rci_tuple *tu = (const rci_tuple *)obj;
        return tu->len > ACYCLIC_SCAN_REFS || refs_to_tracked(tu->items, tu->len);
    }
    return -1;
}

/* ACYCLIC-NOW: whether obj may hold a reference to a tracked object: true when it does, when
 * it has more than ACYCLIC_SCAN_REFS references, and for a type whose traverse function is
 * not the library's (a decrement runs no user code). */
static bool may_hold_tracked(rc_heap *heap, const rc_type *t, rc_object *obj)
{
    int may = may_hold_tracked_inline(heap, t, obj);
    if (may >= 0)
        return may != 0;
    if (t != heap->types.t_dict)
        return true;
    unsigned left = ACYCLIC_SCAN_REFS;
    return t->traverse(heap, obj, visit_acyclic, &left) != 0;
}

/* LOOK-PAYS (section 5a): ACYCLIC-NOW's look is taken per type while it pays. t->cand_look
 * is 0 at registration. Below LOOK_MISSES the look is on, and the value counts the type's
 * latest looks in a row that found a tracked reference (or could not look: more references
 * than ACYCLIC_SCAN_REFS, a traverse function of the type's own); a look that finds none
 * sets it to 0. The LOOK_MISSES-th miss in a row turns the look off: the value becomes
 * LOOK_MISSES + LOOK_SAMPLE - 1 and counts down by one per young candidate of the type,
 * buffered unseen, to LOOK_MISSES - 1: the next one is looked at (a sample), which turns
 * the look back on if it finds no tracked reference and off again if it does. Sound
 * whatever the state: buffering is what rc__candidate did before it looked. */
#define LOOK_MISSES 16u
#define LOOK_SAMPLE 64u
_Static_assert(LOOK_MISSES + LOOK_SAMPLE - 1u <= UINT8_MAX, "cand_look is one byte");

/* LOOK-PAYS: whether a young candidate of t, whose cand_look is look, is buffered without
 * a look (and counted). */
static RCI_ALWAYS_INLINE bool look_skipped(rc_type *t, unsigned look)
{
    if (look < LOOK_MISSES)
        return false;
    t->cand_look = (uint8_t)(look - 1u);
    return true;
}

/* LOOK-PAYS: t's state after a look that found a tracked reference (or could not look);
 * look is t->cand_look. */
static RCI_ALWAYS_INLINE void look_missed(rc_type *t, unsigned look)
{
    t->cand_look = (uint8_t)(look + 1u);
    if (RCI_UNLIKELY(look + 1u >= LOOK_MISSES))
        t->cand_look = LOOK_MISSES + LOOK_SAMPLE - 1u;
}

/* ACYCLIC-NOW's outcome for obj (generation 0, tracked, not pending, count above 0): it is on
 * no cycle now and alive: generation 2, as expand_candidates would have found it. The look
 * paid: LOOK-PAYS keeps it on for obj's type. */
static RCI_ALWAYS_INLINE void acyclic_now(rc_heap *heap, rc_type *t, rc_object *obj)
{
    t->cand_look = 0;
    heap->gc.gen_size[0]--;
    heap->gc.gen_size[2]++;
    obj->_tinfo |= 2u;
}

/* A candidate rc__candidate's common path passes on: an incremental run in progress, the
 * generational schedule, a collection's phases 1-5 (hold_late), a buffer that could not
 * grow (cand_overflow), and generation-0 dicts and instances of types with their own
 * traverse function whose look LOOK-PAYS takes. */
static RCI_NOINLINE void candidate_slow(rc_heap *heap, rc_object *obj)
{
    if (heap->gcincr.run != NULL)
        rci_gcincr_touched(heap, obj);
    if (!candidate_schedule(heap))
        return;
    if (heap->gc.cand_hold) {
        hold_late(heap, obj);
        return;
    }
    if ((obj->_tinfo & RCI_GEN_MASK) == 0) {
        rc_type *t = rci_type_of(heap, obj);
        unsigned look = t->cand_look;
        if (!look_skipped(t, look)) {
            if (!may_hold_tracked(heap, t, obj)) {
                acyclic_now(heap, t, obj);
                return;
            }
            look_missed(t, look);
        }
    }
    buffer_candidate(heap, obj);
}

/* The rest of a buffering whose page is not yet on the gen1 list. */
static RCI_NOINLINE void buffered_on_new_page(rc_heap *heap, rci_page *page)
{
    rci_page_note_gen(heap, page, 1);
    if (heap->gc.gen_size[1] > heap->gc.cand_limit)
        trigger_update(heap);
}

/* rc__candidate's buffering (CAND-FAST): ti is obj's header, generation 0 or 2. */
static RCI_ALWAYS_INLINE void buffer_candidate_fast(rc_heap *heap, rc_object *obj, uint32_t ti)
{
    size_t n = heap->gc.cand_len;
    if (RCI_UNLIKELY(n == heap->gc.cand_cap)) {
        buffer_candidate(heap, obj);
        return;
    }
    /* The store into the buffer between the two counts keeps GCC from pairing them into
     * SSE adds, which cost more here (callgrind). */
    size_t g1 = heap->gc.gen_size[1] + 1;
    heap->gc.gen_size[1] = g1;
    heap->gc.cand[n] = obj;
    heap->gc.cand_len = n + 1;
    heap->gc.gen_size[ti & RCI_GEN_MASK]--;
    obj->_tinfo = (ti & ~RCI_GEN_MASK) | 1u;
    rci_page *page = rci_page_of(obj);
    if (RCI_UNLIKELY(!(page->lists & RCI_IN_GEN1)))
        buffered_on_new_page(heap, page);
    else if (RCI_UNLIKELY(g1 > heap->gc.cand_limit))
        trigger_update(heap);
}

/* rc__candidate's look (ACYCLIC-NOW) at obj, generation 0, of type t (its cand_look below
 * LOOK_MISSES, or a sample), and what follows. Out of line: inlined, the look
 * would cost rc__candidate's other paths a stack frame. */
static RCI_NOINLINE void candidate_look(rc_heap *heap, rc_object *obj, rc_type *t)
{
    int may = may_hold_tracked_inline(heap, t, obj);
    if (may > 0) {
        look_missed(t, t->cand_look);
        buffer_candidate_fast(heap, obj, obj->_tinfo & ~RCI_GEN_MASK);
    } else if (may == 0) {
        acyclic_now(heap, t, obj);
    } else { /* a dict (a traverse call) or a type with its own traverse function */
        candidate_slow(heap, obj);
    }
}

_Static_assert(sizeof(uint32_t) == 4 * sizeof(bool),
               "cand_slow's four bytes are cand_overflow, cand_hold, cand_off and cand_incr");

/* CAND-FAST (section 5a, Buffering): the common case, the candidate schedule, no
 * incremental run, no collection in its phases 1-5, a buffer that has grown whenever it had
 * to, is told by one compare (cand_slow: cand_off, cand_incr, cand_hold and cand_overflow
 * share its four bytes; cand_incr is gcincr.run != NULL, kept by gcincr.c), and the trigger
 * by one compare of generation 1's size against cand_limit, which trigger_update keeps
 * (the trigger while automatic work could start, else SIZE_MAX: calling trigger_update
 * could change nothing). Every call on this path is a tail call, so the path needs no
 * stack frame; what it does not handle goes whole to candidate_slow or buffer_candidate,
 * which do what this function did before it had a fast path. */
void rc__candidate(rc_heap *heap, rc_object *obj)
{
    rc_assert_inv(heap, "CAND-FAST", heap->gc.cand_incr == (heap->gcincr.run != NULL));
    if (RCI_UNLIKELY(heap->gc.cand_slow != 0)) {
        candidate_slow(heap, obj);
        return;
    }
    rc_assert_inv(heap, "CAND-FAST",
                  heap->gc.cand_limit == SIZE_MAX || heap->gc.cand_limit == heap->gc.cand_trigger);
    uint32_t ti = obj->_tinfo;
    if ((ti & RCI_GEN_MASK) != 0) { /* generation 2: buffered without a look */
        buffer_candidate_fast(heap, obj, ti);
        return;
    }
    rc_type *t = rci_type_of(heap, obj);
    unsigned look = t->cand_look;
    if (look_skipped(t, look)) /* LOOK-PAYS: the look has not paid for t lately */
        buffer_candidate_fast(heap, obj, ti);
    else
        candidate_look(heap, obj, t);
}

static void flush_late(rc_heap *heap)
{
    while (heap->gc.late_len > 0)
        rc_decref(heap, heap->gc.late[--heap->gc.late_len]);
    if (heap->gc.late_cap > MARK_STACK_KEEP) {
        rci_mem_free(heap, heap->gc.late, heap->gc.late_cap * sizeof(rc_object *));
        heap->gc.late = NULL;
        heap->gc.late_cap = 0;
    }
}

/* ---- CHUNKS (section 9) ------------------------------------------------------------------
 * With bounded pauses an automatic partial run examines about chunk_objects(heap) objects,
 * candidates and their neighbourhood together (expand_chunk_fused). The cost
 * model is PARTIAL_NS_PER_OBJECT, a fixed figure (not measured at run time, so that what
 * a run examines does not depend on the machine's speed or load): about three times what
 * phases 1-5 of a partial run cost per object on the 2-core machine of
 * docs/BENCHMARKS-pauses.md (the ring workload's partial runs: about 35 ns per object),
 * which keeps the tail of those pauses, where cache misses pile up, under the budget. */
#define PARTIAL_NS_PER_OBJECT 96u
#define CHUNK_MIN_OBJECTS 256u

static size_t chunk_objects(const rc_heap *heap)
{
    uint64_t n = heap->gcincr.pause_budget / PARTIAL_NS_PER_OBJECT;
    if (n < CHUNK_MIN_OBJECTS)
        return CHUNK_MIN_OBJECTS;
    return n > SIZE_MAX / 4 ? SIZE_MAX / 4 : (size_t)n;
}

/* rest gets room for n more entries. */
static bool rest_reserve(rc_heap *heap, size_t n)
{
    return heap->gc.rest_cap - heap->gc.rest_len >= n ||
           rci_util_vec_grow(heap, &heap->gc.rest, &heap->gc.rest_cap, heap->gc.rest_len + n,
                             sizeof(rc_object *), 256);
}

/* With fewer than k candidates in the (compacted) buffer, candidates waiting in the rest
 * buffer come back until there are k. A rest entry that is no longer a tracked object of
 * generation 0 or 2 is dropped: it was freed, or it is a candidate again (in the buffer),
 * or its slot holds a newer object (which, buffered, costs a look and nothing else). */
static void chunk_take(rc_heap *heap, size_t k)
{
    while (heap->gc.cand_len < k && heap->gc.rest_len > 0) {
        rc_object *o = heap->gc.rest[heap->gc.rest_len - 1];
        uint32_t ti = o->_tinfo;
        unsigned g = ti & RCI_GEN_MASK;
        if ((ti & (RCI_PENDING | RCI_TRACKED)) == RCI_TRACKED && (g == 0 || g == 2)) {
            if (heap->gc.cand_len == heap->gc.cand_cap &&
                !buf_grow(heap, &heap->gc.cand, &heap->gc.cand_cap))
                return; /* it waits in rest */
            heap->gc.cand[heap->gc.cand_len++] = o;
            heap->gc.gen_size[g]--;
            heap->gc.gen_size[1]++;
            o->_tinfo = (ti & ~RCI_GEN_MASK) | 1u;
            rci_page *page = rci_page_of(o);
            if (!(page->lists & RCI_IN_GEN1))
                rci_page_note_gen(heap, page, 1);
        }
        heap->gc.rest_len--;
    }
}

/* After a full collection every rest entry was examined: the buffer is emptied. */
static void rest_clear(rc_heap *heap)
{
    heap->gc.rest_len = 0;
    if (heap->gc.rest_cap > MARK_STACK_KEEP) {
        rci_mem_free(heap, heap->gc.rest, heap->gc.rest_cap * sizeof(rc_object *));
        heap->gc.rest = NULL;
        heap->gc.rest_cap = 0;
    }
}

typedef struct expand_ctx {
    rc_heap *heap;
    size_t budget; /* objects that may still be pulled in */
    bool truncated;
    size_t tracked_refs; /* references of the object being expanded to tracked objects */
    size_t kept;         /* entries expanded that stay in the set */
    rc_object *parent;   /* FUSED: the object being expanded */
    bool closed;         /* FUSED: a refusal could not be recorded: nothing more may join */
} expand_ctx;

/* FUSED: at most this many refusals are recorded (heap->gc.mark_stack) in one walk. */
#define REFUSED_MAX MARK_STACK_KEEP

/* Pulls obj (tracked, not pending, generation 0 or 2: outside S) into S: generation 1, its
 * page on the gen1 list if note (not in a FUSED walk), an entry at the end of the buffer.
 * False (x->truncated, the budget spent) if the buffer cannot grow. */
static RCI_ALWAYS_INLINE bool expand_admit(rc_heap *heap, expand_ctx *x, rc_object *obj, bool note)
{
    if (heap->gc.cand_len == heap->gc.cand_cap &&
        !buf_grow(heap, &heap->gc.cand, &heap->gc.cand_cap)) {
        x->truncated = true; /* not pulled in: it stays outside S, which is sound */
        x->budget = 0;
        return false;
    }
    heap->gc.cand[heap->gc.cand_len++] = obj;
    heap->gc.gen_size[obj->_tinfo & RCI_GEN_MASK]--;
    heap->gc.gen_size[1]++;
    obj->_tinfo = (obj->_tinfo & ~RCI_GEN_MASK) | 1u;
    rci_page *page = rci_page_of(obj);
    if (note && !(page->lists & RCI_IN_GEN1))
        rci_page_note_gen(heap, page, 1);
    return true;
}

/* One reference of the object being expanded. fused (FUSED): phase 1's subtraction too: a
 * reference to a member, or to an object it pulls in, decrements that object's count; any
 * other reference to a heap object marks the holder EXTREFS. */
static RCI_ALWAYS_INLINE void expand_ref(rc_heap *heap, expand_ctx *x, rc_object *ref, bool fused)
{
    if (!rc_is_heap_object(ref))
        return;
    uint32_t ti = ref->_tinfo;
    if (fused && (ti & (RCI_PENDING | RCI_TRACKED | RCI_GEN_MASK)) == (RCI_TRACKED | 1u)) {
        x->tracked_refs++; /* the common case: a member */
        ref->_refcnt--;
        return;
    }
    if ((ti & (RCI_PENDING | RCI_TRACKED)) != RCI_TRACKED) {
        if (fused)
            x->parent->_tinfo |= RCI_EXTREFS;
        return;
    }
    x->tracked_refs++;
    if (ti & 1u) { /* generation 1 (already in) or 3 (frozen) */
        if (fused) {
            if ((ti & RCI_GEN_MASK) == 1u)
                ref->_refcnt--;
            else
                x->parent->_tinfo |= RCI_EXTREFS;
        }
        return;
    }
    if (x->budget == 0 || !expand_admit(heap, x, ref, !fused)) {
        x->truncated = true;
        if (fused) { /* REFUSED: decremented all the same, and recorded */
            x->parent->_tinfo |= RCI_EXTREFS;
            if (x->closed)
                return;
            if (heap->gc.mark_len < REFUSED_MAX && stack_push(heap, ref)) {
                ref->_refcnt--;
            } else {
                x->closed = true;
                x->budget = 0;
            }
        }
        return;
    }
    x->budget--;
    if (fused)
        ref->_refcnt--;
}

static int visit_expand(rc_heap *heap, rc_object *ref, void *arg)
{
    expand_ref(heap, arg, ref, false);
    return 0;
}

static int visit_expand_fused(rc_heap *heap, rc_object *ref, void *arg)
{
    expand_ref(heap, arg, ref, true);
    return 0;
}

/* Expands entry q of the buffer: what it refers to joins (visit_expand). A member holding no
 * reference to a tracked object leaves for generation 2 (its entry becomes NULL); FUSED: only
 * a seed does (a member pulled in was decremented already, and stays), and as the buffer's
 * last entry it is dropped (FUSED-DENSE). */
static RCI_ALWAYS_INLINE void expand_one(rc_heap *heap, expand_ctx *x, size_t q, bool fused,
                                         bool seed)
{
    rc_object *obj = heap->gc.cand[q];
    rc_type *t = rci_type_of(heap, obj);
    x->tracked_refs = 0;
    x->parent = obj;
    if (t->user_traverse) {
        /* a copy goes to the traverse function, so that x's own fields never escape and
         * stay in registers in the loops that inline this */
        expand_ctx y = *x;
        t->traverse(heap, obj, fused ? visit_expand_fused : visit_expand, &y);
        *x = y;
    } else { /* DESCRIBED (ring_traverse_with) */
        const size_t *offsets = t->ref_offsets, n_offsets = t->n_ref_offsets;
        for (size_t i = 0; i < n_offsets; i++) {
            rc_object *ref;
            memcpy(&ref, (char *)obj + offsets[i],
                   sizeof ref); /* NOLINT(bugprone-sizeof-expression) */
            expand_ref(heap, x, ref, fused);
        }
        if (t->has_array) {
            size_t n = rci_type_array_count(t, obj);
            rc_object **items = rci_type_array_items(t, obj);
            for (size_t i = 0; i < n; i++)
                expand_ref(heap, x, items[i], fused);
        }
    }
    if (!fused) /* FUSED-DENSE needs no count of the entries kept */
        x->kept++;
    if (x->tracked_refs == 0 && (!fused || seed)) {
        heap->gc.gen_size[1]--;
        heap->gc.gen_size[2]++;
        obj->_tinfo = (obj->_tinfo & ~(RCI_GEN_MASK | RCI_EXTREFS)) | 2u;
        if (fused) { /* FUSED-DENSE: it is the last entry (it admitted nothing): dropped */
            rc_assert_inv(heap, "FUSED-DENSE", q + 1 == heap->gc.cand_len);
            heap->gc.cand_len--;
        } else {
            heap->gc.cand[q] = NULL;
            x->kept--;
        }
    }
}

/* The buffer without its NULL entries; *examined gets the entries looked at. Returns
 * whether the budget ran out. */
static bool expand_end(rc_heap *heap, const expand_ctx *x, size_t *examined)
{
    *examined = heap->gc.cand_len;
    size_t n = 0;
    for (size_t q = 0; q < heap->gc.cand_len && n < x->kept; q++)
        if (heap->gc.cand[q] != NULL)
            heap->gc.cand[n++] = heap->gc.cand[q];
    heap->gc.cand_len = n;
    return x->truncated;
}

/* The neighbourhood: breadth first from the candidates, every tracked object they reach
 * (generation 0 or 2) joins generation 1 and the buffer, up to threshold[2] objects per
 * candidate plus threshold[0] in all. A member holding no reference to a tracked object
 * cannot be on a cycle: it leaves S at once, for generation 2 (a garbage cycle holding it
 * releases it in phase 4, and counting frees it). *examined gets the members looked at.
 * Returns whether the budget ran out. */
static bool expand_candidates(rc_heap *heap, size_t *examined)
{
    expand_ctx x = {heap, 0, false, 0, 0, NULL, false};
    size_t seeds = heap->gc.cand_len, per = heap->gc.gen[2].threshold;
    x.budget = seeds > (SIZE_MAX - heap->gc.gen[0].threshold) / (per + 1)
                   ? SIZE_MAX
                   : seeds * per + heap->gc.gen[0].threshold;
    for (size_t q = 0; q < heap->gc.cand_len; q++)
        expand_one(heap, &x, q, false, true);
    return expand_end(heap, &x, examined);
}

/* Section 5a's budget of one candidate in a chunk: threshold[2] objects of its own, and a
 * pool of threshold[0] (here at most half a chunk) shared by all, so that one candidate
 * reaching a large structure leaves room for the others. */
static size_t chunk_pool(const rc_heap *heap, size_t cap)
{
    size_t pool = heap->gc.gen[0].threshold;
    return pool > cap / 2 ? cap / 2 : pool;
}

/* CHUNKS (section 9) without FUSED (the rest buffer has no room, or the run joins the
 * suspected garbage of an incremental run): candidate by candidate, each candidate's
 * neighbourhood is taken (breadth first) before the next, and no candidate is taken once
 * the run holds chunk_objects objects; those not taken leave generation 1 for rest. */
static bool expand_chunk_plain(rc_heap *heap, size_t *examined, size_t cap)
{
    size_t n = heap->gc.cand_len, tail = n, q = 0;
    size_t per = heap->gc.gen[2].threshold, pool = chunk_pool(heap, cap);
    expand_ctx x = {heap, 0, false, 0, 0, NULL, false};
    for (; q < n; q++) {
        if (q > 0 && q + (heap->gc.cand_len - n) >= cap)
            break;
        size_t before = heap->gc.cand_len;
        x.budget = per > SIZE_MAX - pool ? SIZE_MAX : per + pool;
        expand_one(heap, &x, q, false, true);
        while (tail < heap->gc.cand_len)
            expand_one(heap, &x, tail++, false, true);
        size_t used = heap->gc.cand_len - before; /* at most per + pool */
        if (used > per)
            pool -= used - per;
    }
    for (size_t i = q; i < n; i++) {
        rc_object *o = heap->gc.cand[i];
        o->_tinfo = (o->_tinfo & ~RCI_GEN_MASK) | 2u;
        heap->gc.rest[heap->gc.rest_len++] = o;
        heap->gc.cand[i] = NULL;
    }
    heap->gc.gen_size[1] -= n - q;
    heap->gc.gen_size[2] += n - q;
    heap->gc.chunk_cands = q;
    return expand_end(heap, &x, examined);
}

/* FUSED: expands the seed just admitted (entry *tail, the last) and then its neighbourhood,
 * breadth first, within threshold[2] objects plus what the pool has left (the pool pays for
 * what goes beyond threshold[2]). A seed that holds no reference to a tracked object leaves
 * (FUSED-DENSE). False once a refusal could not be recorded: no more seeds (REFUSED). */
static RCI_ALWAYS_INLINE bool expand_seed(rc_heap *heap, expand_ctx *x, size_t *tail, size_t *pool,
                                          size_t per, size_t *dropped)
{
    size_t before = heap->gc.cand_len; /* the seed is entry before - 1, which is *tail */
    x->budget = per > SIZE_MAX - *pool ? SIZE_MAX : per + *pool;
    expand_one(heap, x, *tail, true, true);
    if (heap->gc.cand_len < before) { /* it left S, admitting nothing (FUSED-DENSE) */
        (*dropped)++;
        return true;
    }
    size_t t = *tail + 1;
    while (t < heap->gc.cand_len)
        expand_one(heap, x, t++, true, false);
    *tail = t;
    size_t used = heap->gc.cand_len - before; /* at most per + pool */
    if (used > per)
        *pool -= used - per;
    return !x->closed;
}

/* CHUNKS with FUSED (section 9): the neighbourhood walk is phase 1. Every candidate of the
 * buffer first becomes a pending seed (generation 2, outside S); then seeds are pulled in one
 * by one, those of the buffer first, then those waiting in rest (the last set aside first;
 * an entry that is no longer a tracked object of generation 0 or 2 is dropped, as in
 * chunk_take), each followed by its neighbourhood (breadth first), the members appended
 * after the buffer's seeds; a seed that an earlier member reached was pulled in as its
 * neighbour. No seed is taken once the run holds cap members, nor after a refusal could not
 * be recorded (REFUSED). The members fill the buffer from its start; the buffer's seeds
 * not taken stay in rest (already generation 2), where they waited (FUSED-DENSE). */
static bool expand_chunk_fused(rc_heap *heap, size_t *examined, size_t cap)
{
    /* cand_compact and the change to generation 2 in one pass: an entry that is not a
     * generation-1 object is stale, and a second entry for an object finds it changed.
     * FUSED-DENSE: the seeds wait above rest's entries (which has room for them), so the
     * members fill the buffer from its start. */
    rc_object **seeds = heap->gc.rest; /* NULL only while the buffer is empty */
    if (heap->gc.cand_len > 0)
        seeds += heap->gc.rest_len;
    size_t n = 0, q = 0, taken = 0, dropped = 0;
    for (size_t i = 0; i < heap->gc.cand_len; i++) {
        rc_object *o = heap->gc.cand[i];
        uint32_t ti = o->_tinfo;
        if ((ti & (RCI_PENDING | RCI_TRACKED | RCI_GEN_MASK)) != (RCI_TRACKED | 1u))
            continue;
        o->_tinfo = ti ^ 3u; /* generation 1 to 2 */
        seeds[n++] = o;
    }
    heap->gc.cand_len = 0;
    heap->gc.gen_size[1] -= n;
    heap->gc.gen_size[2] += n;
    validate_seeds(heap, seeds, n); /* GC-SET, before the walk changes counts and bits */
    size_t per = heap->gc.gen[2].threshold, pool = chunk_pool(heap, cap), tail = 0;
    expand_ctx x = {heap, 0, false, 0, 0, NULL, false};
    rc_assert(heap, heap->gc.mark_len == 0); /* REFUSED records there */
    /* the buffer's seeds first */
    bool more = true; /* false once no more seeds may be taken */
    for (; q < n; q++) {
        rc_object *s = seeds[q];
        if ((s->_tinfo & RCI_GEN_MASK) == 1u) /* pulled in by an earlier member */
            continue;
        if ((taken > 0 && heap->gc.cand_len + dropped >= cap) ||
            !expand_admit(heap, &x, s, false)) {
            more = false;
            break;
        }
        taken++;
        if (!expand_seed(heap, &x, &tail, &pool, per, &dropped)) {
            q++;
            more = false;
            break;
        }
    }
    /* then those waiting in rest, below the buffer's seeds (all taken) */
    while (more && heap->gc.rest_len > 0 && heap->gc.cand_len + dropped < cap) {
        rc_object *s = heap->gc.rest[--heap->gc.rest_len];
        uint32_t ti = s->_tinfo;
        if ((ti & (RCI_PENDING | RCI_TRACKED)) != RCI_TRACKED || (ti & 1u))
            continue; /* freed, reused, or a member now (generation 1) */
        if (!expand_admit(heap, &x, s, false)) {
            heap->gc.rest_len++;
            break;
        }
        more = expand_seed(heap, &x, &tail, &pool, per, &dropped);
    }
    /* REFUSED: what stayed outside S gets back the decrements recorded for it */
    for (size_t i = 0; i < heap->gc.mark_len; i++) {
        rc_object *r = heap->gc.mark_stack[i];
        if ((r->_tinfo & RCI_GEN_MASK) != 1u)
            r->_refcnt++;
    }
    heap->gc.mark_len = 0;
    /* the buffer's seeds not taken stay in rest, in their order; those pulled in leave it */
    size_t left = 0;
    for (size_t i = q; i < n; i++) {
        rc_object *o = seeds[i];
        seeds[left] = o;
        left += (o->_tinfo & RCI_GEN_MASK) != 1u;
    }
    heap->gc.rest_len += left; /* when q < n, rest ends below the seeds */
    heap->gc.chunk_cands = q;
    *examined = heap->gc.cand_len + dropped + left;
    return x.truncated;
}

/* A partial run: S is the candidates and their neighbourhood; everything else counts as
 * outside. Then the trigger adapts to the yield. */
static void collect_partial(rc_heap *heap)
{
    /* With entries missing from the buffer, S could not be all of generation 1. */
    collect(heap, heap->gc.cand_overflow ? 2u : 1u, !heap->gc.cand_overflow, true);
}

static void schedule_after_partial(rc_heap *heap, size_t garbage, size_t examined, bool truncated)
{
    size_t base = heap->gc.gen[0].threshold;
    if (base == 0)
        base = 1;
    if (garbage * 4 >= examined)
        heap->gc.cand_trigger = heap->gc.cand_trigger / 2 > base ? heap->gc.cand_trigger / 2 : base;
    else
        heap->gc.cand_trigger =
            heap->gc.cand_trigger <= base * 8 ? heap->gc.cand_trigger * 2 : base * 16;
    if (truncated) {
        heap->gc.cand_truncated++;
        size_t tracked = heap->gc.gen_size[0] + heap->gc.gen_size[1] + heap->gc.gen_size[2];
        if (heap->gc.cand_truncated >= heap->gc.gen[1].threshold &&
            tracked - heap->gc.long_lived_total >= heap->gc.long_lived_total / 4)
            heap->gc.full_due = true;
    }
}

static size_t collect_phases(rc_heap *heap, unsigned gen, bool partial, bool automatic)
{
    gc_run run;
    memset(&run, 0, sizeof run);
    run.heap = heap;
    run.gen = gen;
    run.lo = 0;
    run.span = gen;
    run.target = candidate_schedule(heap) || gen >= 2 ? 2 : gen + 1;
    uint64_t t0 = rci_gcmodule_start(heap, gen);
    heap->pages.defer_page_release = true;

    bool truncated = false;
    size_t examined = 0;
    rc_object *none = NULL; /* a partial run's empty member array when no buffer exists */
    if (partial) {
        heap->gc.cand_hold = true; /* from here to phase 5 the set must not change */
        if (heap->gcincr.stw) {
            cand_compact(heap);
            truncated = expand_candidates(heap, &examined);
        } else if (heap->gc.final_whole) {
            /* Section 9, FINAL-WHOLE: the final step of an incremental run takes every
             * candidate, those set aside in rest included: LIST left the candidates out of
             * W on the promise that this step examines them. */
            cand_compact(heap);
            chunk_take(heap, SIZE_MAX);
            cand_compact(heap);
            truncated = expand_candidates(heap, &examined);
        } else { /* section 9, CHUNKS */
            /* FUSED, unless the run joins the suspected garbage of an incremental run (added
             * after the walk) or rest has no room for the buffer's candidates */
            run.fused = !rci_gcincr_joins(heap) && rest_reserve(heap, heap->gc.cand_len);
            if (run.fused) {
                truncated = expand_chunk_fused(heap, &examined, chunk_objects(heap));
            } else {
                cand_compact(heap);
                size_t k = heap->gc.chunk_cands;
                chunk_take(heap, k == 0 ? chunk_objects(heap) / 4 : k + k / 4 + 1);
                bool room = rest_reserve(heap, heap->gc.cand_len);
                /* without room to set candidates aside, every one is taken */
                truncated =
                    expand_chunk_plain(heap, &examined, room ? chunk_objects(heap) : SIZE_MAX);
            }
        }
        rci_gcincr_partial(heap, truncated); /* section 9 */
        run.lo = 1;
        run.span = 0;
        /* Never NULL here (NULL means page mode), even with no buffer allocated yet. */
        run.members = heap->gc.cand != NULL ? heap->gc.cand : &none;
        run.pseudo.bump = (uint32_t)heap->gc.cand_len;
    } else {
        heap->gc.cand_hold = candidate_schedule(heap);
        /* rc_collect(1): generation 0 and the candidates with their neighbourhood. */
        if (heap->gc.cand_hold && gen == 1 && !heap->gc.cand_overflow) {
            chunk_take(heap, SIZE_MAX); /* every candidate waiting (CHUNKS) */
            cand_compact(heap);
            expand_candidates(heap, &examined);
        }
    }
    gather_pages(&run);
    if (!run.fused)
        validate(&run, RCI_GCV_SET);
    run.watch_rites = rites_possible(heap);
    subtract_internal_refs(&run);
    validate(&run, RCI_GCV_SUBTRACTED);
    mark_reachable(&run);
    validate(&run, RCI_GCV_MARKED);
    run_rites(&run);
    release_external_refs(&run);
    validate(&run, RCI_GCV_RELEASED);
    choose_release(&run, automatic);
    free_garbage_and_promote(&run);
    if (run.doom)
        rci_doomed_batch_end(heap, &run.batch);
    validate(&run, RCI_GCV_PROMOTED);
    account_promotion(&run);
    if (run.lo + run.span >= 1) {
        /* every generation-1 object was in S: the buffer is empty */
        heap->gc.cand_len = 0;
        heap->gc.cand_overflow = false;
    }
    if (run.span == 2) {
        heap->gc.full_due = false;
        heap->gc.cand_truncated = 0;
        rest_clear(heap);
    }
    heap->gc.cand_hold = false;

    heap->objs.defer_free = false;
    rci_object_release_pending(heap);
    /* Checkpoint: every count is exact; user code may run again. */
    flush_late(heap);
    run_deferred(heap);
    if (run.rites)
        rci_weakref_calls_run(heap, run.late_calls);
    heap->pages.defer_page_release = false;
    rci_pages_release_empty(heap);
    shrink_mark_stack(heap);
    if (heap->gc.cand_cap > MARK_STACK_KEEP && heap->gc.cand_len == 0) {
        rci_mem_free(heap, heap->gc.cand, heap->gc.cand_cap * sizeof(rc_object *));
        heap->gc.cand = NULL;
        heap->gc.cand_cap = 0;
    }
    if (partial)
        schedule_after_partial(heap, run.collected + run.uncollectable, examined, truncated);

    if (gen + 1 < 3)
        heap->gc.gen[gen + 1].count++;
    for (unsigned g = 0; g <= gen; g++)
        heap->gc.gen[g].count = 0;
    heap->gc.gen[gen].stats.collections++;
    heap->gc.gen[gen].stats.collected += run.collected;
    heap->gc.gen[gen].stats.uncollectable += run.uncollectable;
    rci_gcmodule_stop(heap, gen, t0, run.collected, run.uncollectable);
    trigger_update(heap);
    return run.collected + run.uncollectable;
}

static void collect_generations(rc_heap *heap, bool force_young)
{
    for (unsigned i = 3; i-- > 0;) {
        if (heap->gc.gen[i].count > heap->gc.gen[i].threshold) {
            if (i == 2 && heap->gc.long_lived_pending < heap->gc.long_lived_total / 4)
                continue;
            collect(heap, i, false, true);
            return;
        }
    }
    if (force_young)
        collect(heap, 0, false, true);
}

static void alloc_check_stw(rc_heap *heap);

static uint64_t collections_total(const rc_heap *heap)
{
    return heap->gc.gen[0].stats.collections + heap->gc.gen[1].stats.collections +
           heap->gc.gen[2].stats.collections;
}

void rci_gc_alloc_check(rc_heap *heap)
{
    if (heap->gc.collecting || heap->objs.freeing)
        return;
    /* Section 9, DOOMED: while garbage waits for release, a slice every interval; an
     * allocation that released one does no other collection work (one pause each). */
    if (heap->gc.doomed != NULL && !heap->gc.stress &&
        (rci_doomed_tick(heap) || heap->gc.gen[0].count <= heap->gc.trigger_base))
        return;
    if (candidate_schedule(heap) && !heap->gcincr.stw) {
        rci_gcincr_alloc_check(heap, heap->gc.gc_enabled && heap->gc.gen[0].threshold > 0);
        if (heap->gc.stress && heap->gc.doomed != NULL)
            rci_doomed_tick(heap); /* stress: a slice at every tracked allocation */
        return;                    /* section 9 */
    }
    /* Stop-the-world automatic collection: its pauses are recorded too (section 9). */
    uint64_t t0 = rci_os_now_ns(), n0 = collections_total(heap);
    alloc_check_stw(heap);
    if (collections_total(heap) != n0)
        rci_gcincr_pause_record(heap, rci_os_now_ns() - t0);
}

static void alloc_check_stw(rc_heap *heap)
{
    if (!candidate_schedule(heap)) {
        if (heap->gc.stress)
            collect_generations(heap, true);
        else if (heap->gc.gc_enabled && heap->gc.gen[0].threshold > 0 &&
                 heap->gc.gen[0].count > heap->gc.gen[0].threshold)
            collect_generations(heap, false);
        return;
    }
    bool on = heap->gc.gc_enabled && heap->gc.gen[0].threshold > 0;
    if (on && (heap->gc.full_due || heap->gc.cand_overflow))
        collect(heap, 2, false, true);
    else if (heap->gc.stress || (on && heap->gc.gen_size[1] > heap->gc.cand_trigger))
        collect_partial(heap);
    else
        trigger_update(heap);
}

/* Entry points for gcincr.c (internal.h). */
void rci_gc_collect_partial(rc_heap *heap)
{
    collect_partial(heap);
}

size_t rci_gc_collect_full(rc_heap *heap)
{
    return collect(heap, 2, false, true);
}

size_t rci_gc_collect_final(rc_heap *heap, unsigned gen)
{
    /* With entries missing from the buffer, S could not be all of generation 1: a full
     * collection, which covers the suspected garbage too. */
    if (heap->gc.cand_overflow)
        return collect(heap, 2, false, true);
    heap->gc.final_whole = true; /* section 9, FINAL-WHOLE */
    size_t n = collect(heap, gen, true, true);
    heap->gc.final_whole = false;
    return n;
}

int64_t rc_collect(rc_heap *heap, int generation)
{
    if (generation < 0 || generation > 2) {
        rci_error(heap, RC_EINVAL, "rc_collect: generation %d out of range (0 to 2)", generation);
        return -1;
    }
    /* CPython's gc.collect(): 0 while a collection runs (asked by a finalizer or callback
     * it runs); during a release by counting it collects (section 6). */
    if (heap->gc.collecting)
        return 0;
    rci_doomed_release_all(heap); /* section 9: what was confirmed is freed first */
    if (generation == 2)
        rci_gcincr_abandon(heap); /* section 9: one complete stop-the-world collection */
    return (int64_t)collect(heap, (unsigned)generation, false, false);
}

/* ---- heap shutdown ----------------------------------------------------------------------- */

static int destroy_page(rc_heap *heap, rci_page *page, void *user)
{
    (void)user;
    RCI_PAGE_FOR_EACH_SLOT(page, obj)
    {
        if (obj->_tinfo == 0)
            continue;
        rc_type *t = rci_type_of(heap, obj);
        if (t->destroy != NULL)
            t->destroy(heap, obj);
    }
    return 0;
}

void rci_gc_free_all(rc_heap *heap)
{
    rci_doomed_release_all(heap);
    rci_gcincr_abandon(heap);
    rci_finalize_shutdown(heap);
    heap->gc.collecting = true;
    heap->pages.defer_page_release = true;
    rci_weakrefs_shutdown(heap);
    rci_gcmodule_shutdown(heap);
    rci_mem_free(heap, heap->objs.deferred, heap->objs.deferred_cap * sizeof(rc_object *));
    heap->objs.deferred = NULL;
    rci_pages_each(heap, false, destroy_page, NULL);
    rci_mem_free(heap, heap->gc.mark_stack, heap->gc.mark_cap * sizeof(rc_object *));
    heap->gc.mark_stack = NULL;
    heap->gc.mark_cap = 0;
    rci_mem_free(heap, heap->gc.cand, heap->gc.cand_cap * sizeof(rc_object *));
    heap->gc.cand = NULL;
    heap->gc.cand_len = heap->gc.cand_cap = 0;
    rci_mem_free(heap, heap->gc.late, heap->gc.late_cap * sizeof(rc_object *));
    heap->gc.late = NULL;
    heap->gc.late_len = heap->gc.late_cap = 0;
    rci_mem_free(heap, heap->gc.rest, heap->gc.rest_cap * sizeof(rc_object *));
    heap->gc.rest = NULL;
    heap->gc.rest_len = heap->gc.rest_cap = 0;
}

/* ---- the collector's settings at heap creation ------------------------------------------ */

void rci_gc_init(rc_heap *heap, const rc_heap_config *cfg)
{
    for (unsigned g = 0; g < 3; g++) {
        heap->gc.gen[g].threshold = cfg->threshold[g];
        heap->gc.gen[g].stats.size = sizeof(rc_gc_stats);
    }
    heap->gc.gc_enabled = !cfg->gc_disabled;
    heap->gc.stress = cfg->stress;
    heap->gc.schedule = cfg->schedule;
    heap->gc.cand_off = cfg->schedule != RC_GC_SCHEDULE_CANDIDATES;
    heap->gc.cand_trigger = cfg->threshold[0];
    heap->gcincr.stw = cfg->stop_the_world;
    heap->gcincr.pause_budget =
        cfg->pause_budget_ns ? cfg->pause_budget_ns : RC_GC_DEFAULT_PAUSE_BUDGET_NS;
    trigger_update(heap);
}
