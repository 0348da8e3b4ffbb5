# Progress and Ctrl+C for whole loads (read, load_many) through the library's
# progress callbacks: an npy_progress_fn is called on the calling thread, during the
# call only; returning non-zero cancels the transfer (NPY_ERR_CANCELLED).
#
# Nothing may unwind through the library's C frames. So the call runs with SIGINT
# deferred (`disable_sigint`), the callback catches everything (the user's errors,
# and the InterruptException of a pending Ctrl+C, which it lets through itself), cancels,
# and the exception is rethrown once the call has returned.

"One call's progress: the user's callback (or `nothing`), and what it threw."
mutable struct _Progress
    callback::Any
    thrown::Any
end

"""
A progress bar on `stderr`, redrawn when the percentage changes. It writes with
`Core.print`, which never yields: the callback runs inside a C call.
"""
mutable struct _ProgressBar
    shown::Int
end
_ProgressBar() = _ProgressBar(-1)

function (bar::_ProgressBar)(done::Int, total::Int)
    percent = total > 0 ? Int(div(Int128(100) * done, total)) : 100
    percent == bar.shown && return nothing
    bar.shown = percent
    filled = div(percent, 5)
    Core.print(Core.stderr, "\r[", "="^filled, " "^(20 - filled), "] ", string(percent), "% of ",
               string(round(total / 2^20; digits=1)), " MiB")
    percent == 100 && Core.print(Core.stderr, "\n")
    return nothing
end

# Whether Ctrl+C is pending. The call runs with SIGINT deferred (`disable_sigint`);
# `reenable_sigint` ends the deferral for an empty function, which delivers a pending
# SIGINT as an InterruptException here, in Julia code. On that exception Julia's
# handler restores the deferral to its value at `try` (as `reenable_sigint` relies
# on), so the call stays deferred either way.
function _interrupt_pending()
    try
        reenable_sigint(() -> nothing)
    catch e
        e isa InterruptException && return true
        rethrow()
    end
    return false
end

# The npy_progress_fn: 0 to go on, 1 to cancel. It never throws: whatever the
# callback or Ctrl+C raises is kept in the state for after the call, and every later
# report is cancelled too.
function _progress_entry(done::UInt64, total::UInt64, state::Ptr{Cvoid})::Int32
    p = unsafe_pointer_to_objref(state)::_Progress
    p.thrown === nothing || return Int32(1)
    try
        _interrupt_pending() && throw(InterruptException())
        p.callback === nothing || p.callback(Int(done), Int(total))
        return Int32(0)
    catch e
        p.thrown = e
        return Int32(1)
    end
end

# Run `f` with the current task kept on its thread: the library calls back on the
# thread that made the call, and its messages are that thread's.
function _on_this_thread(f)
    t = current_task()
    sticky = t.sticky
    t.sticky = true
    try
        return f()
    finally
        t.sticky = sticky
    end
end

"""
Run `call(entry, state)`, a function making one ccall that takes an npy_progress_fn
`entry` and its `state`, with the progress option `progress`: `nothing` or `false`
(none; Ctrl+C still cancels), `true` (a bar on stderr), or a function
`(done, total) -> anything` of byte counts. SIGINT is deferred during the call; a
Ctrl+C or an exception in the callback cancels the transfer and is rethrown when the
call has returned. Returns what `call` returns.
"""
function _with_progress(call::Function, progress)
    callback = progress === true ? _ProgressBar() : progress === false ? nothing : progress
    state = _Progress(callback, nothing)
    entry = @cfunction(_progress_entry, Int32, (UInt64, UInt64, Ptr{Cvoid}))
    result = GC.@preserve state begin
        _on_this_thread(() -> disable_sigint(() -> call(entry, pointer_from_objref(state))))
    end
    state.thrown === nothing || throw(state.thrown)
    return result
end
