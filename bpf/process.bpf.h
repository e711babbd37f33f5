/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The process tree: fork (follow children), exec (rescan libraries), exit.
 * Part of capture.bpf.c (one BPF object, one skeleton); include only from there.
 */
#ifndef HTTPTAP_BPF_PROCESS_BPF_H
#define HTTPTAP_BPF_PROCESS_BPF_H

/* ---- process tree ------------------------------------------------------ */

static __always_inline struct capture_process_event *process_event(__u8 kind, __u32 pid)
{
	struct capture_process_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(CAPTURE_COUNTER_RINGBUF_FULL);
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->kind = CAPTURE_EVENT_PROCESS;
	e->process_kind = kind;
	e->pid = pid;
	e->ts_ns = bpf_ktime_get_ns();
	return e;
}

SEC("raw_tp/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 parent_tgid = BPF_CORE_READ(parent, tgid);
	__u32 child_tgid = BPF_CORE_READ(child, tgid);
	if (child_tgid == parent_tgid) /* a new thread, not a new process */
		return 0;
	if (!follow_forks || !is_traced(parent_tgid))
		return 0;
	__u8 one = 1;
	bpf_map_update_elem(&traced, &child_tgid, &one, BPF_ANY);
	struct capture_process_event *e = process_event(CAPTURE_PROC_FORK, child_tgid);
	if (!e)
		return 0;
	e->parent_pid = parent_tgid;
	BPF_CORE_READ_STR_INTO(&e->comm, child, comm);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

#define SIGSTOP 19

/* Executables the helper has classified (TLS probes attached, or none needed). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct capture_file_key);
	__type(value, __u8);
} known_files SEC(".maps");

SEC("tracepoint/sched/sched_process_exec")
int on_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	if (!is_traced(tgid))
		return 0;
	struct capture_process_event *e = process_event(CAPTURE_PROC_EXEC, tgid);
	if (!e)
		return 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	unsigned int loc = ctx->__data_loc_filename & 0xFFFF;
	bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), (void *)ctx + loc);

	/* A binary the helper has not looked at yet may carry its own TLS library
	 * (node, Go): stop the process before its first instruction; the helper
	 * attaches what the binary needs and sends SIGCONT. */
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct inode *inode = BPF_CORE_READ(task, mm, exe_file, f_inode);
	struct capture_file_key key = {
		.dev = BPF_CORE_READ(inode, i_sb, s_dev),
		.ino = BPF_CORE_READ(inode, i_ino),
	};
	if (stop_unknown_exec && !bpf_map_lookup_elem(&known_files, &key) && bpf_send_signal(SIGSTOP) == 0)
		e->flags |= CAPTURE_EXEC_STOPPED;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

#define PROT_EXEC 0x4

/* The same for a library mapped later (dlopen): a TLS library outside the
 * system's — a second OpenSSL bundled by a plugin — would otherwise run its
 * first calls before the helper's periodic rescan finds it. ld.so maps a
 * library's code with an mmap(PROT_EXEC) of the file; the stop takes effect
 * when that mmap returns, with the mapping in place for the helper to see.
 * Each file stops a process at most once (it enters known_files here), and
 * unlinked files (memfd, JIT double mappings) never do. */
SEC("tracepoint/syscalls/sys_enter_mmap")
int on_mmap(struct trace_event_raw_sys_enter *ctx)
{
	if (!stop_unknown_exec)
		return 0;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	if (!is_traced(tgid))
		return 0;
	long fd = (long)ctx->args[4];
	if (!(ctx->args[2] & PROT_EXEC) || fd < 0)
		return 0;
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	if ((unsigned long)fd >= BPF_CORE_READ(fdt, max_fds))
		return 0;
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *file = NULL;
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]) != 0 || !file)
		return 0;
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	if (!inode || BPF_CORE_READ(inode, __i_nlink) == 0)
		return 0;
	struct capture_file_key key = {
		.dev = BPF_CORE_READ(inode, i_sb, s_dev),
		.ino = BPF_CORE_READ(inode, i_ino),
	};
	__u8 one = 1;
	if (bpf_map_update_elem(&known_files, &key, &one, BPF_NOEXIST) != 0)
		return 0; /* known already (or the map is full: then never stop) */
	struct capture_process_event *e = process_event(CAPTURE_PROC_MAP, tgid);
	if (!e)
		return 0;
	if (bpf_send_signal(SIGSTOP) == 0)
		e->flags |= CAPTURE_EXEC_STOPPED;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int on_exit(void *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	/* (active_io and active_ssl are task-local: they go with the thread.) */
	if (!is_traced(tgid))
		return 0;
	/* The process ends with its last thread, not with its first: a main thread
	 * that leaves by pthread_exit() while workers go on must not untrace them.
	 * do_exit() has counted this thread out of signal->live before this point. */
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;
	bpf_map_delete_elem(&traced, &tgid);
	struct capture_process_event *e = process_event(CAPTURE_PROC_EXIT, tgid);
	if (!e)
		return 0;
	e->exit_code = BPF_CORE_READ(task, exit_code);
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

#endif
