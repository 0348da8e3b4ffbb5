function tests = test_time()
% datetime64/timedelta64: the unit arithmetic behind 'time', 'datetime' and the put
% of MATLAB datetime/duration (npystore.internal.timeUnit, timeSplit, timeCounts,
% timeUnitFor), checked against numpy's exact integer arithmetic (numpy_side.py
% time_cases) for every unit numpy has; and, in Octave, which has no datetime or
% duration class, that asking for them is a clear npystore:unsupported. The
% datetime/duration objects themselves (toTime, fromTime) need MATLAB: not run here.
tests = {@units_from_descrs, @split_matches_numpy, @counts_round_trip, @unit_for_put, ...
         @counts_stay_the_default, @option_errors};
if exist('OCTAVE_VERSION', 'builtin'), tests{end + 1} = @octave_names_the_missing_class; end
end

function store = numpy_store(ctx)
store = npystore.Store(strrep(ctx.config, ctx.dir, ctx.numpyDir));
end

function units = all_units()
units = {'Y', 'M', 'W', 'D', 'h', 'm', 's', 'ms', 'us', 'ns', 'ps', 'fs', 'as', '10ms'};
end

function units_from_descrs(ctx) %#ok<INUSD>
u = npystore.internal.timeUnit('''<M8[ns]''');
assert(u.kind == 'M' && strcmp(u.unit, 'ns') && u.num == 1 && u.den == int64(1e9) && u.months == 0);
u = npystore.internal.timeUnit('''>m8[W]''');
assert(u.kind == 'm' && u.num == int64(604800) && u.den == 1);
u = npystore.internal.timeUnit('''<M8[10ms]''');
assert(u.num == 10 && u.den == 1000 && strcmp(u.unit, '10ms'));
u = npystore.internal.timeUnit('''<M8[Y]''');
assert(u.months == 12);
u = npystore.internal.timeUnit('''<m8[3M]''');
assert(u.months == 3);
u = npystore.internal.timeUnit('''<M8[as]''');
assert(u.den == int64(1e18) && isa(u.den, 'int64'));
expect_error(@() npystore.internal.timeUnit('''<M8'''), 'npystore:dtype');      % generic unit
expect_error(@() npystore.internal.timeUnit('''<M8[xs]'''), 'npystore:dtype');
expect_error(@() npystore.internal.timeUnit('''<f8'''), 'npystore:dtype');
end

function split_matches_numpy(ctx)
% Whole seconds and fraction (or months) of each count, NaT as NaN: bit-equal to
% numpy's exact values rounded once, for counts up to 1.7e18 of each unit.
store = numpy_store(ctx);
for unit = all_units()
  r = store.open(['time_' unit{1} '.npy']);
  u = npystore.internal.timeUnit(r.info().descr);
  [whole, frac, months] = npystore.internal.timeSplit(r.load(), u);
  if u.months > 0
    want = store.open(['time_' unit{1} '_months.npy']).load();
    assert(isequaln(months, want), '%s: months %s, numpy %s', unit{1}, mat2str(months), mat2str(want));
    continue;
  end
  w = store.open(['time_' unit{1} '_whole.npy']).load();
  f = store.open(['time_' unit{1} '_frac.npy']).load();
  assert(isequaln(whole, w), '%s: whole seconds %s, numpy %s', unit{1}, mat2str(whole), mat2str(w));
  assert(isequaln(frac, f), '%s: fractions %s, numpy %s', unit{1}, mat2str(frac, 17), mat2str(f, 17));
end
r = store.open('time_be_ns.npy');  % big-endian: swapped by the loader, same counts
assert(isequal(r.load(), store.open('time_ns.npy').load()));
end

function counts_round_trip(ctx)
% Back from numpy's whole seconds and fraction to the same counts, NaN to NaT, in
% the units put writes (s, ms, us, ns) and the finer ones down to ps.
store = numpy_store(ctx);
for unit = {'s', 'ms', 'us', 'ns', 'ps'}
  counts = store.open(['time_' unit{1} '.npy']).load();
  u = npystore.internal.timeUnit(sprintf('''<M8[%s]''', unit{1}));
  w = store.open(['time_' unit{1} '_whole.npy']).load();
  f = store.open(['time_' unit{1} '_frac.npy']).load();
  keep = isnan(w) | abs(w) < 2^53 / double(u.den);  % whole * den exact in the double
  got = npystore.internal.timeCounts(w(keep), f(keep), u);
  assert(isequal(got, counts(keep)), '%s: counts %s, numpy %s', unit{1}, mat2str(got), ...
         mat2str(counts(keep)));
end
expect_error(@() npystore.internal.timeCounts(1, 0, npystore.internal.timeUnit('''<M8[D]''')), ...
             'npystore:invalid_argument');
expect_error(@() npystore.internal.timeCounts(1e10, 0, npystore.internal.timeUnit('''<M8[ns]''')), ...
             'npystore:invalid_argument');
end

function unit_for_put(ctx) %#ok<INUSD>
% ns while every value is within int64 counts of ns (+-292 years), then coarser.
assert(strcmp(npystore.internal.timeUnitFor([0; -9.2e9; NaN]), 'ns'));
assert(strcmp(npystore.internal.timeUnitFor([0; 9.3e9]), 'us'));
assert(strcmp(npystore.internal.timeUnitFor(-1e13), 'ms'));
assert(strcmp(npystore.internal.timeUnitFor(1e17), 's'));
assert(strcmp(npystore.internal.timeUnitFor(zeros(0, 1)), 'ns'));
expect_error(@() npystore.internal.timeUnitFor(1e19), 'npystore:invalid_argument');
end

function counts_stay_the_default(ctx)
% Without 'time' (or with 'counts'): int64 counts through every read path.
store = numpy_store(ctx);
r = store.open('time_ns.npy');
A = r.load();
assert(isa(A, 'int64') && A(2) == 1 && A(end) == intmin('int64'));
assert(isequal(r.load('time', 'counts'), A) && isequal(r.readRows(2, 3, 'time', 'counts'), A(2:4)));
assert(isequal(r.readSlice(2:4), A(2:4)) && isequal(r([8 1]), A([8 1])));
v = store.loadMany({r, store.open('delta_ns.npy')}, 'time', 'counts');
assert(isequal(v{1}, A) && isequal(v{2}, A));
end

function option_errors(ctx)
r = numpy_store(ctx).open('time_ns.npy');
expect_error(@() r.load('time', 'dates'), 'npystore:invalid_argument');
expect_error(@() r.readRows(1, 2, 'time', 3), 'npystore:invalid_argument');
end

function octave_names_the_missing_class(ctx)
% Octave 7 has neither datetime nor duration: every read path says so, before I/O.
store = numpy_store(ctx);
r = store.open('time_ns.npy');
calls = {@() r.load('time', 'datetime'), @() r.readRows(1, 2, 'time', 'datetime'), ...
         @() r.readSlice(1:2, 'time', 'datetime'), @() store.loadMany({r}, 'time', 'datetime'), ...
         @() r.load('time', "datetime")};
for k = 1:numel(calls)
  try
    calls{k}();
    error('npystore_test:no_error', 'call %d succeeded', k);
  catch err
    assert(strcmp(err.identifier, 'npystore:unsupported'), 'call %d: %s', k, err.identifier);
    assert(~isempty(strfind(err.message, 'no datetime or duration class')), 'call %d: %s', k, err.message);
  end
end
end
