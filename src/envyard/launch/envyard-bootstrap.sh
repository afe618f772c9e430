#!/bin/sh
# Envyard bootstrap: the ENTRYPOINT of environment images.
#
#   envyard-bootstrap.sh [--kernel NAME] [--kernel-spec DIR] [--] COMMAND [ARG...]
#
# Activates kernel NAME, creating it first when the image does not have it, then execs
# COMMAND (a training script, `jupyter lab`, a shell...). The same entrypoint serves
# experiments and notebooks. Without --kernel, COMMAND runs as is.
#
# Where a kernel is looked for, in order:
#   NAME itself, when it is an absolute path to an environment directory
#   a conda environment: $ENVYARD_CONDA_ROOT (or $CONDA_ROOT, $MAMBA_ROOT_PREFIX, /opt/conda,
#     /opt/micromamba, /opt/miniconda3, /opt/miniforge3)/envs/NAME (NAME "base": the root)
#   $ENVYARD_KERNELS_DIR/NAME (default /opt/envyard/kernels/NAME), a venv or conda prefix
# When it is missing and --kernel-spec DIR (or $ENVYARD_KERNEL_SPEC) holds the kernel files
# Envyard writes (environment.yml, requirements.txt, conda-packages.txt), it is created:
#   with micromamba/mamba/conda from environment.yml when one of them is installed,
#   else as a venv (uv, or python3 -m venv + pip) from requirements.txt;
#   either way in $ENVYARD_KERNELS_DIR/NAME.
# Activation: PATH gets the kernel's bin first, VIRTUAL_ENV or CONDA_PREFIX/CONDA_DEFAULT_ENV
# are set, and the kernel's etc/conda/activate.d/*.sh hooks are sourced.
# POSIX sh (busybox ash, dash, bash). Messages go to stderr prefixed "envyard-bootstrap:".
set -eu

say() { printf 'envyard-bootstrap: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 127; }
usage() {  # the comment block at the top of this file
    first=1
    while IFS= read -r line; do
        if [ $first = 1 ]; then first=0; continue; fi
        case "$line" in "#"*) line=${line#"#"}; printf '%s\n' "${line# }" ;; *) break ;; esac
    done < "$0"
}

kernel=""
spec_dir="${ENVYARD_KERNEL_SPEC:-}"
while [ $# -gt 0 ]; do
    case "$1" in
        --kernel) [ $# -ge 2 ] || die "--kernel needs a name"; kernel=$2; shift 2 ;;
        --kernel=*) kernel=${1#--kernel=}; shift ;;
        --kernel-spec) [ $# -ge 2 ] || die "--kernel-spec needs a directory"; spec_dir=$2; shift 2 ;;
        --kernel-spec=*) spec_dir=${1#--kernel-spec=}; shift ;;
        --) shift; break ;;
        -h|--help) usage; exit 0 ;;
        *) break ;;
    esac
done
[ $# -gt 0 ] || die "no command given (usage: --kernel NAME -- COMMAND [ARG...])"

conda_tool() {
    for tool in "${ENVYARD_CONDA_EXE:-}" "${MAMBA_EXE:-}" "${CONDA_EXE:-}"; do
        if [ -n "$tool" ] && [ -x "$tool" ]; then echo "$tool"; return 0; fi
    done
    for tool in micromamba mamba conda; do
        if command -v "$tool" >/dev/null 2>&1; then command -v "$tool"; return 0; fi
    done
    return 1
}

conda_roots() {
    for root in "${ENVYARD_CONDA_ROOT:-}" "${CONDA_ROOT:-}" "${MAMBA_ROOT_PREFIX:-}" \
        /opt/conda /opt/micromamba /opt/miniconda3 /opt/miniforge3; do
        [ -n "$root" ] && [ -d "$root" ] && echo "$root"
    done
    return 0
}

kernels_dir="${ENVYARD_KERNELS_DIR:-/opt/envyard/kernels}"

find_kernel() {  # prints "conda|venv PREFIX"
    case "$1" in
        /*) if [ -d "$1/conda-meta" ]; then echo "conda $1"; return 0; fi
            if [ -d "$1/bin" ]; then echo "venv $1"; return 0; fi ;;
    esac
    for root in $(conda_roots); do
        if [ "$1" = base ] && [ -d "$root/conda-meta" ]; then echo "conda $root"; return 0; fi
        if [ -d "$root/envs/$1" ]; then echo "conda $root/envs/$1"; return 0; fi
    done
    if [ -d "$kernels_dir/$1/conda-meta" ]; then echo "conda $kernels_dir/$1"; return 0; fi
    if [ -d "$kernels_dir/$1/bin" ]; then echo "venv $kernels_dir/$1"; return 0; fi
    return 1
}

create_kernel() {
    name=$1
    [ -n "$spec_dir" ] && [ -d "$spec_dir" ] || \
        die "kernel '$name' is not in this image and no kernel spec was given to create it"
    prefix="$kernels_dir/$name"
    mkdir -p "$kernels_dir" || die "cannot create $kernels_dir"
    if tool=$(conda_tool) && [ -f "$spec_dir/environment.yml" ]; then
        say "creating conda kernel '$name' with $tool in $prefix"
        case "$(basename "$tool")" in
            micromamba) "$tool" create --yes --prefix "$prefix" --file "$spec_dir/environment.yml" >&2 ;;
            *) "$tool" env create --prefix "$prefix" --file "$spec_dir/environment.yml" >&2 ;;
        esac || die "creating conda kernel '$name' failed"
        return 0
    fi
    if [ -s "$spec_dir/conda-packages.txt" ]; then
        die "kernel '$name' needs conda packages ($(tr '\n' ' ' < "$spec_dir/conda-packages.txt")) but the image has no micromamba, mamba or conda"
    fi
    if command -v uv >/dev/null 2>&1; then
        say "creating kernel '$name' with uv in $prefix"
        UV_PYTHON_DOWNLOADS=never uv venv --no-project "$prefix" >&2 || die "uv venv failed"
        if [ -s "$spec_dir/requirements.txt" ]; then
            uv pip install --python "$prefix/bin/python" --requirements "$spec_dir/requirements.txt" >&2 \
                || die "installing kernel '$name' requirements failed"
        fi
    elif command -v python3 >/dev/null 2>&1; then
        say "creating kernel '$name' with python3 -m venv in $prefix"
        python3 -m venv "$prefix" >&2 || die "python3 -m venv failed"
        if [ -s "$spec_dir/requirements.txt" ]; then
            "$prefix/bin/python" -m pip install --requirement "$spec_dir/requirements.txt" >&2 \
                || die "installing kernel '$name' requirements failed"
        fi
    else
        die "cannot create kernel '$name': the image has no conda, micromamba, uv or python3"
    fi
}

activate() {  # activate KIND PREFIX NAME
    PATH="$2/bin:$PATH"
    if [ "$1" = conda ]; then
        CONDA_PREFIX=$2; CONDA_DEFAULT_ENV=$3; export CONDA_PREFIX CONDA_DEFAULT_ENV
    else
        VIRTUAL_ENV=$2; export VIRTUAL_ENV
    fi
    unset PYTHONHOME 2>/dev/null || true
    ENVYARD_KERNEL=$3; ENVYARD_KERNEL_PREFIX=$2; export PATH ENVYARD_KERNEL ENVYARD_KERNEL_PREFIX
    if [ -d "$2/etc/conda/activate.d" ]; then
        for hook in "$2"/etc/conda/activate.d/*.sh; do
            [ -f "$hook" ] || continue
            # shellcheck disable=SC1090
            . "$hook"
        done
    fi
}

if [ -n "$kernel" ]; then
    found=$(find_kernel "$kernel") || { create_kernel "$kernel"; found=$(find_kernel "$kernel") \
        || die "kernel '$kernel' was created but cannot be found"; }
    kind=${found%% *}
    prefix=${found#* }
    activate "$kind" "$prefix" "$kernel"
    say "activated kernel '$kernel' ($kind, $prefix)"
fi
exec "$@"
