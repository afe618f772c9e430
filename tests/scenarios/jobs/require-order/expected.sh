#!/usr/bin/env bash
# Envyard bootstrap: job require-order, task role worker.
# Order: containerStart (required prerequisites first), kernel activation, commands;
# on the way out (always, also after a failure or a signal): onSuccess or onFailure,
# then containerExit in reverse order. Exit status: the commands' status.
# Prerequisites in start order: tools, data, model

[ -n "${ENVYARD_JOB_NAME-}" ] || ENVYARD_JOB_NAME=require-order
[ -n "${ENVYARD_TASK_ROLE-}" ] || ENVYARD_TASK_ROLE=worker
[ -n "${ENVYARD_TASK_INDEX-}" ] || ENVYARD_TASK_INDEX=0
[ -n "${ENVYARD_TASK_COUNT-}" ] || ENVYARD_TASK_COUNT=1
[ -n "${ENVYARD_RUN_DIR-}" ] || ENVYARD_RUN_DIR=$PWD
export ENVYARD_JOB_NAME ENVYARD_TASK_ROLE ENVYARD_TASK_INDEX ENVYARD_TASK_COUNT ENVYARD_RUN_DIR
PAI_JOB_NAME=$ENVYARD_JOB_NAME PAI_CURRENT_TASK_ROLE_NAME=$ENVYARD_TASK_ROLE
PAI_CURRENT_TASK_ROLE_CURRENT_TASK_INDEX=$ENVYARD_TASK_INDEX PAI_TASK_ROLE_INSTANCE_COUNT=$ENVYARD_TASK_COUNT
export PAI_JOB_NAME PAI_CURRENT_TASK_ROLE_NAME PAI_CURRENT_TASK_ROLE_CURRENT_TASK_INDEX PAI_TASK_ROLE_INSTANCE_COUNT

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

# tools: callbacks[0] on containerStart, failurePolicy fail
envyard_p1_containerStart_1() {
    echo "start tools"
    envyard_rc=$?; [ "$envyard_rc" -eq 0 ] || return "$envyard_rc"
    export TOOLS=ready
    envyard_rc=$?; [ "$envyard_rc" -eq 0 ] || return "$envyard_rc"
}
# tools: callbacks[1] on containerExit, failurePolicy fail
envyard_p1_containerExit_2() {
    echo "exit tools"
    envyard_rc=$?; [ "$envyard_rc" -eq 0 ] || return "$envyard_rc"
}
# tools: callbacks[2] on taskSucceeds, failurePolicy fail
envyard_p1_taskSucceeds_3() {
    echo "success tools"
    envyard_rc=$?; [ "$envyard_rc" -eq 0 ] || return "$envyard_rc"
}
# data: callbacks[0] on containerStart, failurePolicy fail
envyard_p2_containerStart_1() {
    echo "start data"
    envyard_rc=$?; [ "$envyard_rc" -eq 0 ] || return "$envyard_rc"
}
# data: callbacks[1] on containerExit, failurePolicy fail
envyard_p2_containerExit_2() {
    echo "exit data"
    envyard_rc=$?; [ "$envyard_rc" -eq 0 ] || return "$envyard_rc"
}
# data: callbacks[2] on onSuccess, failurePolicy fail
envyard_p2_onSuccess_3() {
    echo "success data"
    envyard_rc=$?; [ "$envyard_rc" -eq 0 ] || return "$envyard_rc"
}
# model: callbacks[0] on containerStart, failurePolicy fail
envyard_p3_containerStart_1() {
    echo "start model"
    envyard_rc=$?; [ "$envyard_rc" -eq 0 ] || return "$envyard_rc"
}
# model: callbacks[1] on containerExit, failurePolicy fail
envyard_p3_containerExit_2() {
    echo "exit model"
    envyard_rc=$?; [ "$envyard_rc" -eq 0 ] || return "$envyard_rc"
}
# model: callbacks[2] on onSuccess, failurePolicy fail
envyard_p3_onSuccess_3() {
    echo "success model"
    envyard_rc=$?; [ "$envyard_rc" -eq 0 ] || return "$envyard_rc"
}
# model: callbacks[3] on onFailure, failurePolicy fail
envyard_p3_onFailure_4() {
    echo "failure model"
    envyard_rc=$?; [ "$envyard_rc" -eq 0 ] || return "$envyard_rc"
}
# the commands of task role worker
envyard_commands() {
    echo "user command sees TOOLS=$TOOLS"
    envyard_rc=$?; [ "$envyard_rc" -eq 0 ] || return "$envyard_rc"
}

envyard_finish() {
    envyard_status=$?
    command trap - EXIT
    command trap '' INT TERM HUP
    if [ -n "${envyard_user_exit-}" ]; then  # the EXIT trap the commands set
        eval "$envyard_user_exit"
    fi
    if [ "$envyard_status" -eq 0 ] && [ "$envyard_phase" != commands ]; then
        envyard_log "the job ended (exit 0) before its commands ran: failing it"
        envyard_status=1
    fi
    if [ "$envyard_status" -eq 0 ]; then
        [ -z "${envyard_reached_2-}" ] || envyard_exit_step fail 'prerequisite data' onSuccess envyard_p2_onSuccess_3
        [ -z "${envyard_reached_3-}" ] || envyard_exit_step fail 'prerequisite model' onSuccess envyard_p3_onSuccess_3
        # OpenPAI's taskSucceeds: prerequisites in reverse start order
        [ -z "${envyard_reached_1-}" ] || envyard_exit_step fail 'prerequisite tools' taskSucceeds envyard_p1_taskSucceeds_3
    else
        [ -z "${envyard_reached_3-}" ] || envyard_exit_step fail 'prerequisite model' onFailure envyard_p3_onFailure_4
    fi
    [ -z "${envyard_reached_3-}" ] || envyard_exit_step fail 'prerequisite model' containerExit envyard_p3_containerExit_2
    [ -z "${envyard_reached_2-}" ] || envyard_exit_step fail 'prerequisite data' containerExit envyard_p2_containerExit_2
    [ -z "${envyard_reached_1-}" ] || envyard_exit_step fail 'prerequisite tools' containerExit envyard_p1_containerExit_2
    envyard_log "task role $ENVYARD_TASK_ROLE[$ENVYARD_TASK_INDEX] exits with $envyard_status"
    exit "$envyard_status"
}
envyard_phase=start
envyard_status=0
command trap envyard_finish EXIT
command trap 'envyard_on_signal 130 INT' INT
command trap 'envyard_on_signal 143 TERM' TERM
command trap 'envyard_on_signal 129 HUP' HUP

envyard_reached_1=1  # tools
envyard_step fail 'prerequisite tools' containerStart envyard_p1_containerStart_1 || exit
envyard_reached_2=1  # data
envyard_step fail 'prerequisite data' containerStart envyard_p2_containerStart_1 || exit
envyard_reached_3=1  # model
envyard_step fail 'prerequisite model' containerStart envyard_p3_containerStart_1 || exit
envyard_log 'running the commands of task role worker'
envyard_phase=commands
envyard_commands
exit "$?"
