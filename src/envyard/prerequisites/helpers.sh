# Shell helpers of every Envyard bootstrap (POSIX sh; blocks are separated by blank lines
# and copied into a script only when it calls them). See envyard/prerequisites/script.py.

envyard_log() { printf 'envyard: %s\n' "$*" >&2; }

# envyard_step POLICY WHAT EVENT FUNCTION: run one callback with its failure policy.
envyard_step() {
    "$4"
    envyard_rc=$?
    [ "$envyard_rc" -eq 0 ] && return 0
    if [ "$1" = ignore ]; then
        envyard_log "$2 failed in $3 (exit $envyard_rc); failurePolicy ignore: continuing"
        return 0
    fi
    envyard_log "$2 failed in $3 (exit $envyard_rc); failurePolicy fail: aborting the job"
    return "$envyard_rc"
}

# envyard_exit_step POLICY WHAT EVENT FUNCTION: on the way out a failing callback never stops
# the others; with policy fail it fails the job (when the job had succeeded so far).
envyard_exit_step() {
    "$4"
    envyard_rc=$?
    [ "$envyard_rc" -eq 0 ] && return 0
    if [ "$1" = ignore ]; then
        envyard_log "$2 failed in $3 (exit $envyard_rc); failurePolicy ignore: continuing"
        return 0
    fi
    envyard_log "$2 failed in $3 (exit $envyard_rc); failurePolicy fail: the job fails"
    [ "$envyard_status" -ne 0 ] || envyard_status=$envyard_rc
    return 0
}

envyard_on_signal() {
    envyard_log "received SIG$2"
    exit "$1"
}

# Under bash, an EXIT trap that the job's commands set (`trap 'cleanup' EXIT`) is kept and run
# first on the way out, instead of replacing the bootstrap's (its exit callbacks would be lost).
# Defined through a constant string: other shells refuse a function named trap at parse time.
if [ -n "${BASH_VERSION-}" ]; then eval 'trap() {
    [ "${1-}" != -- ] || shift
    if [ "$#" -lt 2 ]; then command trap "$@"; return; fi
    envyard_trap_action=$1
    shift
    for envyard_sig in "$@"; do
        case "$envyard_sig" in
            EXIT|0) [ "$envyard_trap_action" = - ] && envyard_user_exit= || envyard_user_exit=$envyard_trap_action ;;
            *) command trap "$envyard_trap_action" "$envyard_sig" ;;
        esac
    done
}'; fi

# envyard_fetch SOURCE DEST: download http(s) or copy a local path.
envyard_fetch() {
    case "$1" in
        http://*|https://*)
            envyard_log "downloading $1"
            if command -v curl >/dev/null 2>&1; then
                curl -fsSL --retry 2 -o "$2" -- "$1"
            elif command -v wget >/dev/null 2>&1; then
                wget -q -O "$2" -- "$1"
            elif command -v python3 >/dev/null 2>&1; then
                python3 -c 'import shutil, sys, urllib.request
with urllib.request.urlopen(sys.argv[1]) as r, open(sys.argv[2], "wb") as f:
    shutil.copyfileobj(r, f)' "$1" "$2"
            else
                envyard_log "cannot download $1: no curl, wget or python3 in this image"
                return 127
            fi ;;
        *)
            envyard_log "copying $1"
            cp -RL -- "$1" "$2" ;;  # links inside the folder become files (checked at render)
    esac
}

# envyard_verify FILE ALGORITHM HEX: compare a file's checksum.
envyard_verify() {
    envyard_sum=$("$2sum" -- "$1" | cut -d ' ' -f 1) || return
    if [ "$envyard_sum" != "$3" ]; then
        envyard_log "checksum mismatch for $1: expected $2:$3, got $2:$envyard_sum"
        return 1
    fi
    envyard_log "checksum ok for $1"
}

# envyard_pip_install [OPTIONS] -- REQUIREMENTS: into the active kernel.
envyard_pip_install() {
    if command -v uv >/dev/null 2>&1 && [ -n "${VIRTUAL_ENV-}" ]; then
        uv pip install --quiet --python "$VIRTUAL_ENV/bin/python" "$@"
    else
        python3 -m pip install --quiet --disable-pip-version-check "$@"
    fi
}

# envyard_activate_kernel NAME KEY PYTHON KIND REQUIREMENTS...
envyard_activate_kernel() {
    envyard_kname=$1
    envyard_kdir=${ENVYARD_KERNEL_CACHE:-${HOME:-/tmp}/.cache/envyard/kernels}/bootstrap-$2
    envyard_kpython=$3
    envyard_kkind=$4
    shift 4
    envyard_kprefix=${ENVYARD_KERNEL_PREFIX-}
    if [ -z "$envyard_kprefix" ] && [ -x "${ENVYARD_KERNELS_DIR:-/opt/envyard/kernels}/$envyard_kname/bin/python" ]; then
        envyard_kprefix=${ENVYARD_KERNELS_DIR:-/opt/envyard/kernels}/$envyard_kname
    fi
    if [ -z "$envyard_kprefix" ] && [ -f "$envyard_kdir/.envyard-complete" ]; then
        envyard_kprefix=$envyard_kdir
    fi
    if [ -z "$envyard_kprefix" ]; then
        if [ "$envyard_kkind" = conda ]; then
            envyard_log "conda kernel $envyard_kname is not in this image; set ENVYARD_KERNEL_PREFIX or use the local backend, which builds it"
            return 127
        fi
        envyard_log "creating kernel $envyard_kname in $envyard_kdir"
        rm -rf "$envyard_kdir" && mkdir -p "$envyard_kdir" || return
        if [ -n "${ENVYARD_KERNEL_REQUIREMENTS-}" ]; then  # the kernel's lock, pinned with hashes
            cat "$ENVYARD_KERNEL_REQUIREMENTS" > "$envyard_kdir.requirements.txt" || return
            set -- --requirement "$ENVYARD_KERNEL_REQUIREMENTS"
        else
            printf '%s\n' "$@" > "$envyard_kdir.requirements.txt" || return
        fi
        if command -v uv >/dev/null 2>&1; then
            UV_PYTHON_DOWNLOADS=never uv venv --quiet --no-project --allow-existing \
                ${envyard_kpython:+--python "$envyard_kpython"} "$envyard_kdir" &&
                { [ $# -eq 0 ] || uv pip install --quiet --python "$envyard_kdir/bin/python" \
                    -r "$envyard_kdir.requirements.txt"; }
        else
            python3 -m venv "$envyard_kdir" &&
                { [ $# -eq 0 ] || "$envyard_kdir/bin/python" -m pip install --quiet \
                    -r "$envyard_kdir.requirements.txt"; }
        fi
        envyard_rc=$?
        if [ "$envyard_rc" -ne 0 ]; then rm -rf "$envyard_kdir"; return "$envyard_rc"; fi
        : > "$envyard_kdir/.envyard-complete"
        envyard_kprefix=$envyard_kdir
    fi
    if [ "${ENVYARD_KERNEL_KIND-}" = conda ] || [ -d "$envyard_kprefix/conda-meta" ]; then
        CONDA_PREFIX=$envyard_kprefix
        CONDA_DEFAULT_ENV=$envyard_kname
        export CONDA_PREFIX CONDA_DEFAULT_ENV
    else
        VIRTUAL_ENV=$envyard_kprefix
        export VIRTUAL_ENV
    fi
    PATH="$envyard_kprefix/bin:$PATH"
    ENVYARD_KERNEL=$envyard_kname
    ENVYARD_KERNEL_PREFIX=$envyard_kprefix
    export PATH ENVYARD_KERNEL ENVYARD_KERNEL_PREFIX
    envyard_log "kernel $envyard_kname active ($envyard_kprefix)"
}
