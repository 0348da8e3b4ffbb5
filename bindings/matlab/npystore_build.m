function mexfile = npystore_build(varargin)
% NPYSTORE_BUILD  Compile npystore_mex, the MEX behind the +npystore classes (and,
% in Octave, npystore_oct, which loads arrays in place: Octave copies MEX outputs).
%   npystore_build()                  library from $NPYSTORE_PREFIX, else <repo>/build/prefix
%   npystore_build('prefix', P)       P holds include/npystore.h and lib/libnpystore.so
%                                     (Windows: bin/npystore.dll, lib/libnpystore.dll.a)
%   npystore_build(..., 'outdir', D)  where the MEX goes (default: this folder)
%   mexfile = npystore_build(...)     the path of the built MEX
% Works in MATLAB (mex -R2018a) and GNU Octave (mkoctfile --mex -R2018a). On Linux the
% MEX carries an rpath to P/lib, so it runs without LD_LIBRARY_PATH. On Windows (MEX
% compiler MinGW-w64: mex -setup C) it links npystore.dll's import library
% (libnpystore.dll.a, or npystore.lib made from npystore.def) and npystore.dll is
% copied beside the MEX, where Windows looks for it first. Put this folder (and D)
% on the path: addpath('<repo>/bindings/matlab').
here = fileparts(mfilename('fullpath'));
opts = struct('prefix', getenv('NPYSTORE_PREFIX'), 'outdir', here);
for i = 1:2:numel(varargin)
  opts.(validatestring(varargin{i}, fieldnames(opts))) = varargin{i + 1};
end
if isempty(opts.prefix)
  opts.prefix = fullfile(here, '..', '..', 'build', 'prefix');
end
inc = fullfile(opts.prefix, 'include');
lib = fullfile(opts.prefix, 'lib');
header = fullfile(inc, 'npystore.h');
if ~exist(header, 'file')
  error('npystore:not_found', 'npystore: no %s: build and install the library first (scripts/test.sh cmake)', header);
end
src = fullfile(here, 'mex');
files = dir(fullfile(src, '*.c'));
sources = cellfun(@(f) fullfile(src, f), {files.name}, 'UniformOutput', false);
flags = {'-R2018a', ['-I' inc], ['-I' src], ['-L' lib], '-lnpystore'};
if ~exist('OCTAVE_VERSION', 'builtin')
  flags{end + 1} = '-lut';  % utIsInterruptPending: Ctrl+C during a transfer
end
if ~isempty(regexp(fileread(header), 'npy_writer_open\s*\(', 'once'))
  flags{end + 1} = '-DNPYSTORE_HAVE_WRITER';
end
if ~exist(opts.outdir, 'dir'), mkdir(opts.outdir); end
mexfile = fullfile(opts.outdir, ['npystore_mex.' mexext]);
if ispc
  % No rpath on Windows: -lnpystore finds lib/libnpystore.dll.a (MinGW) or
  % lib/npystore.lib, and the DLL goes beside the MEX.
  dll = windows_dll(opts.prefix);
  rpath = {};
else
  rpath = {['-Wl,-rpath,' lib]};
end
if exist('OCTAVE_VERSION', 'builtin')
  % mex/nsm_feval.cc (Octave only) catches a Ctrl+C inside a progress function.
  octave_build('--mex', flags{:}, rpath{:}, '-o', mexfile, sources{:}, ...
               fullfile(src, 'nsm_feval.cc'));
  % Octave copies every array a MEX returns; npystore_oct loads in place instead.
  octave_build(['-I' inc], ['-L' lib], '-lnpystore', rpath{:}, ...
               '-o', fullfile(opts.outdir, 'npystore_oct.oct'), fullfile(here, 'oct', 'npystore_oct.cc'));
elseif ispc
  mex(flags{:}, '-outdir', opts.outdir, '-output', 'npystore_mex', sources{:});
else
  mex(flags{:}, ['LDFLAGS=$LDFLAGS ' rpath{1}], '-outdir', opts.outdir, ...
      '-output', 'npystore_mex', sources{:});
end
if ispc
  copyfile(dll, opts.outdir);
end
end

function dll = windows_dll(prefix)
% npystore.dll of the install at PREFIX: bin/ (the CMake install), else lib/.
dll = fullfile(prefix, 'bin', 'npystore.dll');
if ~exist(dll, 'file')
  dll = fullfile(prefix, 'lib', 'npystore.dll');
end
if ~exist(dll, 'file')
  error('npystore:not_found', 'npystore: no npystore.dll in %s or %s: install the Windows build first (docs/building.md)', ...
        fullfile(prefix, 'bin'), fullfile(prefix, 'lib'));
end
end

function octave_build(varargin)
% mkoctfile with its output shown only when it fails.
[out, status] = mkoctfile(varargin{:});
if status ~= 0
  error('npystore:internal', 'npystore: mkoctfile failed:\n%s', out);
end
end
