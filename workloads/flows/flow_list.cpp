#include "workloads/flows/flow_list.hpp"

#include <algorithm>
#include <deque>
#include <unordered_map>

namespace spinel::workloads::flows {

namespace {

[[noreturn]] void fail(const FlowList& list, std::size_t line, const std::string& message) {
  throw FlowFileError(list.source + (line != 0 ? ":" + std::to_string(line) : std::string()) +
                      ": " + message);
}

std::string kind_name(TriggerKind kind) {
  switch (kind) {
    case TriggerKind::oneshot:
      return "oneshot";
    case TriggerKind::multishot:
      return "multishot";
    case TriggerKind::barrier:
      return "barrier";
  }
  return "?";
}

// Per trigger (by its index in list.triggers): the flows that signal it (a
// flow that signals it both on send and on receive counts twice, as in
// htsim) and the flows it starts, in file order.
struct Wiring {
  std::unordered_map<std::uint32_t, std::uint32_t> index;  // trigger id -> index
  std::vector<std::vector<std::uint32_t>> signallers;      // flow indices
  std::vector<std::vector<bool>> by_send;                  // signalled when sent (else received)
  std::vector<std::vector<std::uint32_t>> targets;         // flow indices
};

Wiring wire(const FlowList& list) {
  Wiring w;
  const auto n = list.triggers.size();
  w.signallers.resize(n);
  w.by_send.resize(n);
  w.targets.resize(n);
  for (std::uint32_t t = 0; t < n; ++t) {
    const Trigger& trigger = list.triggers[t];
    if (!w.index.emplace(trigger.id, t).second) {
      fail(list, trigger.line, "trigger " + std::to_string(trigger.id) + " is declared twice");
    }
    if (trigger.kind == TriggerKind::barrier && trigger.count == 0) {
      fail(list, trigger.line,
           "barrier trigger " + std::to_string(trigger.id) + " needs `count K` (K above 0)");
    }
  }
  auto find = [&](const Flow& f, std::uint32_t id, const char* key) {
    const auto it = w.index.find(id);
    if (it == w.index.end()) {
      fail(list, f.line,
           std::string(key) + " " + std::to_string(id) +
               ": no such trigger is declared (add a line `trigger id " + std::to_string(id) +
               " oneshot`, multishot or barrier)");
    }
    return it->second;
  };
  for (std::uint32_t i = 0; i < list.flows.size(); ++i) {
    const Flow& f = list.flows[i];
    if (f.trigger != 0) w.targets[find(f, f.trigger, "trigger")].push_back(i);
    if (f.send_done_trigger != 0) {
      const auto t = find(f, f.send_done_trigger, "send_done_trigger");
      w.signallers[t].push_back(i);
      w.by_send[t].push_back(true);
    }
    if (f.recv_done_trigger != 0) {
      const auto t = find(f, f.recv_done_trigger, "recv_done_trigger");
      w.signallers[t].push_back(i);
      w.by_send[t].push_back(false);
    }
  }
  return w;
}

// How many signals target k (0-based) of a trigger waits for.
std::uint32_t needs(const Trigger& t, std::size_t k) {
  switch (t.kind) {
    case TriggerKind::oneshot:
      return 1;
    case TriggerKind::multishot:
      return static_cast<std::uint32_t>(k + 1);
    case TriggerKind::barrier:
      return t.count;
  }
  return 1;
}

}  // namespace

void check(const FlowList& list, std::uint32_t ranks) {
  if (list.nodes > ranks) {
    fail(list, list.nodes_line,
         std::to_string(list.nodes) + " nodes, but the job has " + std::to_string(ranks) +
             " ranks; give the job at least as many hosts (workload.hosts)");
  }
  if (list.flows.empty()) fail(list, 0, "no flows");
  std::unordered_map<std::uint32_t, std::size_t> ids;
  for (const Flow& f : list.flows) {
    if (f.src >= ranks || f.dst >= ranks) {
      fail(list, f.line,
           "a flow " + std::to_string(f.src) + "->" + std::to_string(f.dst) +
               ", but the job's ranks are 0.." + std::to_string(ranks - 1));
    }
    if (f.src == f.dst) {
      fail(list, f.line, "a flow from rank " + std::to_string(f.src) + " to itself");
    }
    if (f.size_bytes == 0) fail(list, f.line, "a flow of 0 bytes");
    const auto [it, fresh] = ids.emplace(f.id, f.line);
    if (!fresh) {
      fail(list, f.line,
           "flow id " + std::to_string(f.id) + " is used twice (also at line " +
               std::to_string(it->second) + "); ids must differ");
    }
  }
  const Wiring w = wire(list);
  // Which flows can start: those that wait for no trigger, then, as they
  // are delivered, the targets whose trigger got enough signals.
  std::vector<std::uint8_t> live(list.flows.size(), 0);
  std::vector<std::uint32_t> signals(list.triggers.size(), 0);
  std::vector<std::size_t> started(list.triggers.size(), 0);  // targets started, in order
  std::deque<std::uint32_t> queue;
  for (std::uint32_t i = 0; i < list.flows.size(); ++i) {
    if (list.flows[i].trigger == 0) {
      live[i] = 1;
      queue.push_back(i);
    }
  }
  auto signal = [&](std::uint32_t t) {
    ++signals[t];
    const auto& targets = w.targets[t];
    while (started[t] < targets.size() && needs(list.triggers[t], started[t]) <= signals[t]) {
      const std::uint32_t f = targets[started[t]++];
      live[f] = 1;
      queue.push_back(f);
    }
  };
  while (!queue.empty()) {
    const Flow& f = list.flows[queue.front()];
    queue.pop_front();
    if (f.send_done_trigger != 0) signal(w.index.at(f.send_done_trigger));
    if (f.recv_done_trigger != 0) signal(w.index.at(f.recv_done_trigger));
  }
  for (std::uint32_t i = 0; i < list.flows.size(); ++i) {
    if (live[i] != 0) continue;
    const Flow& f = list.flows[i];
    const std::uint32_t t = w.index.at(f.trigger);
    const Trigger& trigger = list.triggers[t];
    const auto& targets = w.targets[t];
    const auto k =
        static_cast<std::size_t>(std::find(targets.begin(), targets.end(), i) - targets.begin());
    fail(list, f.line,
         "flow id " + std::to_string(f.id) + " never starts: its " + kind_name(trigger.kind) +
             " trigger " + std::to_string(trigger.id) + " needs " +
             std::to_string(needs(trigger, k)) + " signal(s) for it, but only " +
             std::to_string(signals[t]) + " of the " + std::to_string(w.signallers[t].size()) +
             " flows that signal it can start (a cycle of triggers, or too few signallers)");
  }
}

graph::Program make_program(const FlowList& list, std::uint32_t ranks) {
  using graph::CrossDependency;
  using graph::Op;
  using graph::OpKind;
  graph::Program p;
  p.ranks.resize(ranks);
  p.connection_per_tag = true;
  const Wiring w = wire(list);
  std::vector<std::uint32_t> send_op(list.flows.size());
  std::vector<std::uint32_t> recv_op(list.flows.size());
  for (std::uint32_t i = 0; i < list.flows.size(); ++i) {
    const Flow& f = list.flows[i];
    // Labels are the flows' ids, one each: appended, not looked up.
    p.labels.push_back(std::to_string(f.id));
    Op op;
    op.kind = OpKind::send;
    op.peer = f.dst;
    op.tag = f.id;
    op.label = static_cast<std::uint32_t>(p.labels.size() - 1);
    op.size_bytes = f.size_bytes;
    op.not_before_ps = f.start_ps;
    send_op[i] = p.ranks[f.src].add(op);
    op.kind = OpKind::recv;
    op.peer = f.src;
    op.not_before_ps = 0;
    recv_op[i] = p.ranks[f.dst].add(op);
  }
  for (std::uint32_t t = 0; t < list.triggers.size(); ++t) {
    const Trigger& trigger = list.triggers[t];
    const auto& targets = w.targets[t];
    if (targets.empty()) continue;                                 // signalled, but starts nothing
    std::vector<std::pair<std::uint32_t, std::uint32_t>> signals;  // (rank, op)
    for (std::size_t s = 0; s < w.signallers[t].size(); ++s) {
      const std::uint32_t i = w.signallers[t][s];
      const Flow& f = list.flows[i];
      signals.emplace_back(w.by_send[t][s] ? f.src : f.dst,
                           w.by_send[t][s] ? send_op[i] : recv_op[i]);
    }
    auto wait_on_signals = [&](std::uint32_t rank, std::uint32_t op) {
      for (const auto& [r, o] : signals) p.cross_deps.push_back(CrossDependency{rank, op, r, o});
    };
    if (trigger.kind == TriggerKind::multishot) {
      // Target k starts at the k-th signal: each waits for k of them.
      for (std::size_t k = 0; k < targets.size(); ++k) {
        const Flow& f = list.flows[targets[k]];
        Op& send = p.ranks[f.src].ops[send_op[targets[k]]];
        send.needs = needs(trigger, k);
        wait_on_signals(f.src, send_op[targets[k]]);
      }
      continue;
    }
    // One wait op joins the signals; every target waits for it.
    const std::uint32_t home = list.flows[targets.front()].src;
    Op join;
    join.kind = OpKind::wait;
    join.needs = needs(trigger, 0);
    p.labels.push_back("trigger " + std::to_string(trigger.id));
    join.label = static_cast<std::uint32_t>(p.labels.size() - 1);
    const std::uint32_t j = p.ranks[home].add(join);
    wait_on_signals(home, j);
    for (const std::uint32_t i : targets) {
      p.cross_deps.push_back(CrossDependency{list.flows[i].src, send_op[i], home, j});
    }
  }
  return p;
}

}  // namespace spinel::workloads::flows
