// The ns-3 side of spinel's packet-level cross-check (tests/ns3/check.py, docs/packet-level.md,
// "Cross-checking against ns-3").
//
// Builds a two-tier leaf-spine of point-to-point links in ns-3 (3.37, Debian's libns3-dev),
// runs one TCP connection per flow of a list, each on the spine spinel chose for it, and
// writes every flow's completion and one port's queue per interval. ns-3's TCP stands in for
// spinel's RDMA-style transport, set up to differ from it as little as TCP can: segments of
// spinel's MTU, an ACK per segment, no timestamps, the first window as large as spinel's
// window (no slow start) and the receiver's window capping it as spinel's window does.
// Switch ports are drop-tail FIFOs that mark ECN as spinel's do (StepMarkQueueDisc below).
//
// Usage: spinel-ns3-leaf-spine --leaves=N --hostsPerLeaf=N --spines=N --hostRateGbps=X
//   --hostLatencyNs=X --spineRateGbps=X --spineLatencyNs=X --mtuBytes=N --bufferBytes=N
//   --ecnBytes=N --windowBytes=N --dctcpG=X --rtoNs=X --flows=FILE --queueLink=a>b
//   --intervalNs=X --outFlows=FILE --outQueue=FILE
// flows FILE: a CSV `id,src,dst,size_bytes,start_ps,spine` (spine -1: within a leaf).
#include <ns3/applications-module.h>
#include <ns3/core-module.h>
#include <ns3/internet-module.h>
#include <ns3/network-module.h>
#include <ns3/point-to-point-module.h>
#include <ns3/traffic-control-module.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

namespace ns3 {

// A switch port as spinel models one: drop-tail at `bufferBytes`, and a data packet is
// marked CE when the bytes ahead of it (this queue, the device's and the rest of the packet
// on the wire: what spinel's port has not serialised yet) reach `ecnBytes`:
// DCTCP's step (spinel's ecn_kmin_bytes = ecn_kmax_bytes). ACKs are never marked, as in
// spinel. Records the largest queue an arriving packet joined per interval, itself included
// (spinel's timeseries.csv max_queue_bytes).
class StepMarkQueueDisc : public QueueDisc {
 public:
  static TypeId GetTypeId() {
    static TypeId tid = TypeId("ns3::SpinelStepMarkQueueDisc")
                            .SetParent<QueueDisc>()
                            .AddConstructor<StepMarkQueueDisc>();
    return tid;
  }
  StepMarkQueueDisc() : QueueDisc(QueueDiscSizePolicy::SINGLE_INTERNAL_QUEUE) {}

  void Configure(uint64_t bufferBytes, uint64_t ecnBytes, uint32_t dataMinBytes,
                 Ptr<PointToPointNetDevice> device, double gbps) {
    bufferBytes_ = bufferBytes;
    ecnBytes_ = ecnBytes;
    dataMinBytes_ = dataMinBytes;
    deviceQueue_ = device->GetQueue();
    bytesPerPs_ = gbps / 8000;
    device->TraceConnectWithoutContext("PhyTxBegin",
                                       MakeCallback(&StepMarkQueueDisc::OnTxBegin, this));
  }
  void Record(uint64_t intervalPs) { intervalPs_ = intervalPs; }
  const std::map<uint64_t, uint64_t>& Series() const { return maxQueue_; }
  uint64_t marks = 0;
  uint64_t drops = 0;

 private:
  bool DoEnqueue(Ptr<QueueDiscItem> item) override {
    // As spinel counts it: what the port has not serialised yet, the rest of the packet on
    // the wire included.
    const double now = static_cast<double>(Simulator::Now().GetPicoSeconds());
    const uint64_t onWire =
        txEndPs_ > now ? static_cast<uint64_t>(std::ceil((txEndPs_ - now) * bytesPerPs_)) : 0;
    const uint64_t backlog = GetInternalQueue(0)->GetNBytes() + deviceQueue_->GetNBytes() + onWire;
    if (backlog + item->GetSize() > bufferBytes_) {
      ++drops;
      DropBeforeEnqueue(item, "buffer full");
      return false;
    }
    if (item->GetSize() >= dataMinBytes_ && backlog >= ecnBytes_ && Mark(item, "step")) ++marks;
    if (intervalPs_ != 0) {
      const uint64_t k = static_cast<uint64_t>(Simulator::Now().GetPicoSeconds()) / intervalPs_;
      uint64_t& m = maxQueue_[k];
      m = std::max(m, backlog + item->GetSize());
    }
    return GetInternalQueue(0)->Enqueue(item);
  }
  Ptr<QueueDiscItem> DoDequeue() override { return GetInternalQueue(0)->Dequeue(); }
  void OnTxBegin(Ptr<const Packet> p) {
    txEndPs_ = static_cast<double>(Simulator::Now().GetPicoSeconds()) +
               static_cast<double>(p->GetSize()) / bytesPerPs_;
  }
  bool CheckConfig() override {
    if (GetNInternalQueues() == 0) {
      AddInternalQueue(CreateObjectWithAttributes<DropTailQueue<QueueDiscItem>>(
          "MaxSize", QueueSizeValue(QueueSize("1000000p"))));
    }
    return true;
  }
  void InitializeParams() override {}

  uint64_t bufferBytes_ = 0, ecnBytes_ = 0, intervalPs_ = 0;
  uint32_t dataMinBytes_ = 0;
  Ptr<Queue<Packet>> deviceQueue_;
  double bytesPerPs_ = 0, txEndPs_ = 0;
  std::map<uint64_t, uint64_t> maxQueue_;
};
NS_OBJECT_ENSURE_REGISTERED(StepMarkQueueDisc);

// A host's NIC as spinel models one: ACKs leave ahead of data (spinel's NICs send ACKs
// first; their data waits in the queue pairs). A FIFO would hold a host's ACKs behind the
// part of its own window the link has not taken yet, and slow the flows it receives.
class AckFirstQueueDisc : public QueueDisc {
 public:
  static TypeId GetTypeId() {
    static TypeId tid = TypeId("ns3::SpinelAckFirstQueueDisc")
                            .SetParent<QueueDisc>()
                            .AddConstructor<AckFirstQueueDisc>();
    return tid;
  }
  AckFirstQueueDisc() : QueueDisc(QueueDiscSizePolicy::MULTIPLE_QUEUES) {}
  void Configure(uint32_t dataMinBytes) { dataMinBytes_ = dataMinBytes; }

 private:
  bool DoEnqueue(Ptr<QueueDiscItem> item) override {
    return GetInternalQueue(item->GetSize() >= dataMinBytes_ ? 1 : 0)->Enqueue(item);
  }
  Ptr<QueueDiscItem> DoDequeue() override {
    Ptr<QueueDiscItem> item = GetInternalQueue(0)->Dequeue();
    return item ? item : GetInternalQueue(1)->Dequeue();
  }
  bool CheckConfig() override {
    for (int i = 0; i < 2; ++i) {
      AddInternalQueue(CreateObjectWithAttributes<DropTailQueue<QueueDiscItem>>(
          "MaxSize", QueueSizeValue(QueueSize("1000000p"))));
    }
    return true;
  }
  void InitializeParams() override {}

  uint32_t dataMinBytes_ = 0;
};
NS_OBJECT_ENSURE_REGISTERED(AckFirstQueueDisc);

}  // namespace ns3

using namespace ns3;

namespace {

struct Flow {
  int id = 0;
  uint32_t src = 0, dst = 0;
  uint64_t size = 0;
  uint64_t startPs = 0;
  int spine = -1;
  uint64_t queued = 0, received = 0;
  int64_t endPs = -1;
  Ptr<Socket> socket;

  void Fill(Ptr<Socket> s, uint32_t) {
    while (queued < size) {
      const uint32_t chunk =
          static_cast<uint32_t>(std::min<uint64_t>({size - queued, 65536, s->GetTxAvailable()}));
      if (chunk == 0 || s->Send(Create<Packet>(chunk)) < 0) return;
      queued += chunk;
    }
  }
  void Open(Ptr<Node> node, Address to) {
    socket = Socket::CreateSocket(node, TcpSocketFactory::GetTypeId());
    socket->Bind();
    socket->Connect(to);
  }
  void Start() {
    socket->SetSendCallback(MakeCallback(&Flow::Fill, this));
    Fill(socket, 0);
  }
};

void OnRx(Flow* f, Ptr<const Packet> p, const Address&) {
  f->received += p->GetSize();
  if (f->received >= f->size && f->endPs < 0) f->endPs = Simulator::Now().GetPicoSeconds();
}

std::vector<Flow> ReadFlows(const std::string& path) {
  std::ifstream in(path);
  if (!in) NS_FATAL_ERROR("cannot read flows file " << path);
  std::vector<Flow> flows;
  std::string line;
  std::getline(in, line);  // the header: id,src,dst,size_bytes,start_ps,spine
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::istringstream row(line);
    Flow f;
    char c = 0;
    row >> f.id >> c >> f.src >> c >> f.dst >> c >> f.size >> c >> f.startPs >> c >> f.spine;
    if (!row) NS_FATAL_ERROR(path << ": bad row: " << line);
    flows.push_back(f);
  }
  return flows;
}

DataRate Gbps(double g) {
  return DataRate(static_cast<uint64_t>(g * 1e9));
}

}  // namespace

int main(int argc, char** argv) {
  uint32_t leaves = 2, hostsPerLeaf = 4, spines = 1, mtu = 4096;
  double hostGbps = 100, spineGbps = 100, hostLatNs = 500, spineLatNs = 500, dctcpG = 1.0 / 16;
  double rtoNs = 1e6, intervalNs = 1000;
  uint64_t bufferBytes = 1 << 20, ecnBytes = 64 << 10, windowBytes = 128 << 10;
  std::string flowsPath, queueLink, outFlows, outQueue;
  CommandLine cmd;
  cmd.AddValue("leaves", "leaf switches", leaves);
  cmd.AddValue("hostsPerLeaf", "hosts per leaf", hostsPerLeaf);
  cmd.AddValue("spines", "spine switches", spines);
  cmd.AddValue("hostRateGbps", "host <-> leaf rate", hostGbps);
  cmd.AddValue("hostLatencyNs", "host <-> leaf latency", hostLatNs);
  cmd.AddValue("spineRateGbps", "leaf <-> spine rate", spineGbps);
  cmd.AddValue("spineLatencyNs", "leaf <-> spine latency", spineLatNs);
  cmd.AddValue("mtuBytes", "TCP segment payload (spinel's mtu_bytes)", mtu);
  cmd.AddValue("bufferBytes", "switch port buffer", bufferBytes);
  cmd.AddValue("ecnBytes", "DCTCP marking threshold K", ecnBytes);
  cmd.AddValue("windowBytes", "initial and largest window", windowBytes);
  cmd.AddValue("dctcpG", "DCTCP's gain g", dctcpG);
  cmd.AddValue("rtoNs", "minimum retransmission timeout", rtoNs);
  cmd.AddValue("flows", "flows CSV: id,src,dst,size_bytes,start_ps,spine", flowsPath);
  cmd.AddValue("queueLink", "the port whose queue is written, e.g. leaf0>h0", queueLink);
  cmd.AddValue("intervalNs", "queue series interval", intervalNs);
  cmd.AddValue("outFlows", "where to write id,src,dst,size_bytes,start_ps,end_ps", outFlows);
  cmd.AddValue("outQueue", "where to write interval_start_ps,max_queue_bytes", outQueue);
  cmd.Parse(argc, argv);
  std::vector<Flow> flows = ReadFlows(flowsPath);

  const uint32_t segments = static_cast<uint32_t>(windowBytes / mtu);
  Config::SetDefault("ns3::TcpL4Protocol::SocketType", TypeIdValue(TcpDctcp::GetTypeId()));
  Config::SetDefault("ns3::TcpDctcp::DctcpShiftG", DoubleValue(dctcpG));
  Config::SetDefault("ns3::TcpDctcp::DctcpAlphaOnInit", DoubleValue(1.0));
  Config::SetDefault("ns3::TcpSocket::SegmentSize", UintegerValue(mtu));
  Config::SetDefault("ns3::TcpSocket::InitialCwnd", UintegerValue(segments));
  Config::SetDefault("ns3::TcpSocket::InitialSlowStartThreshold", UintegerValue(windowBytes));
  Config::SetDefault("ns3::TcpSocket::RcvBufSize", UintegerValue(windowBytes));
  Config::SetDefault("ns3::TcpSocket::SndBufSize", UintegerValue(64u << 20));
  Config::SetDefault("ns3::TcpSocket::DelAckCount", UintegerValue(1));
  Config::SetDefault("ns3::TcpSocketBase::Timestamp", BooleanValue(false));
  Config::SetDefault("ns3::TcpSocketBase::MinRto", TimeValue(NanoSeconds(rtoNs)));
  Config::SetDefault("ns3::TcpSocketBase::ClockGranularity", TimeValue(NanoSeconds(1)));
  Config::SetDefault("ns3::PointToPointNetDevice::Mtu", UintegerValue(mtu + 40));

  const uint32_t hosts = leaves * hostsPerLeaf;
  NodeContainer hostNodes, leafNodes, spineNodes;
  hostNodes.Create(hosts);
  leafNodes.Create(leaves);
  spineNodes.Create(spines);
  InternetStackHelper stack;
  Ipv4StaticRoutingHelper staticRouting;
  stack.SetRoutingHelper(staticRouting);
  stack.InstallAll();

  // Device queues of one packet: the queue builds in the queue disc, where it is marked.
  PointToPointHelper hostLink, spineLink;
  for (auto* h : {&hostLink, &spineLink})
    h->SetQueue("ns3::DropTailQueue<Packet>", "MaxSize", QueueSizeValue(QueueSize("1p")));
  hostLink.SetDeviceAttribute("DataRate", DataRateValue(Gbps(hostGbps)));
  hostLink.SetChannelAttribute("Delay", TimeValue(NanoSeconds(hostLatNs)));
  spineLink.SetDeviceAttribute("DataRate", DataRateValue(Gbps(spineGbps)));
  spineLink.SetChannelAttribute("Delay", TimeValue(NanoSeconds(spineLatNs)));

  // A port: its node, device, and the neighbour's address on the link.
  struct Port {
    Ptr<Node> node;
    Ptr<NetDevice> dev;
    Ipv4Address peer;
    Ptr<StepMarkQueueDisc> qdisc;
  };
  std::map<std::string, Port> ports;  // by spinel's link name, "a>b"
  Ipv4AddressHelper address("10.0.0.0", "255.255.255.252");
  std::vector<Ipv4Address> hostAddr(hosts);
  const uint32_t dataMin = mtu / 2;  // anything larger than an ACK is data
  auto connect = [&](PointToPointHelper& helper, Ptr<Node> a, const std::string& aName,
                     bool aSwitch, Ptr<Node> b, const std::string& bName) {
    NetDeviceContainer devs = helper.Install(a, b);
    auto isSwitch = [&](uint32_t side) { return side == 1 || aSwitch; };  // b is always one
    for (uint32_t side = 0; side < 2; ++side) {
      TrafficControlHelper tc;
      tc.SetRootQueueDisc(isSwitch(side) ? "ns3::SpinelStepMarkQueueDisc"
                                         : "ns3::SpinelAckFirstQueueDisc");
      tc.Install(devs.Get(side));
    }
    Ipv4InterfaceContainer ifs = address.Assign(devs);
    address.NewNetwork();
    for (uint32_t side = 0; side < 2; ++side) {
      Ptr<NetDevice> dev = devs.Get(side);
      Port port{dev->GetNode(), dev, ifs.GetAddress(1 - side), nullptr};
      Ptr<QueueDisc> root =
          dev->GetNode()->GetObject<TrafficControlLayer>()->GetRootQueueDiscOnDevice(dev);
      if (isSwitch(side)) {
        port.qdisc = DynamicCast<StepMarkQueueDisc>(root);
        port.qdisc->Configure(bufferBytes, ecnBytes, dataMin,
                              DynamicCast<PointToPointNetDevice>(dev),
                              aSwitch ? spineGbps : hostGbps);
      } else {
        DynamicCast<AckFirstQueueDisc>(root)->Configure(dataMin);
      }
      ports[side == 0 ? aName + ">" + bName : bName + ">" + aName] = port;
    }
    return ifs;
  };
  auto hostName = [](uint32_t h) { return "h" + std::to_string(h); };
  auto leafName = [](uint32_t l) { return "leaf" + std::to_string(l); };
  auto spineName = [](uint32_t s) { return "spine" + std::to_string(s); };
  for (uint32_t h = 0; h < hosts; ++h) {
    Ipv4InterfaceContainer ifs =
        connect(hostLink, hostNodes.Get(h), hostName(h), false, leafNodes.Get(h / hostsPerLeaf),
                leafName(h / hostsPerLeaf));
    hostAddr[h] = ifs.GetAddress(0);
  }
  for (uint32_t l = 0; l < leaves; ++l) {
    for (uint32_t s = 0; s < spines; ++s) {
      connect(spineLink, leafNodes.Get(l), leafName(l), true, spineNodes.Get(s), spineName(s));
    }
  }

  // Every flow has a destination address of its own (on the receiver's NIC), and a sender
  // sends one flow at most: static routes by destination then route each flow, both ways,
  // as spinel did: its data up the spine spinel chose, its ACKs back the same way to the
  // sender's address (spinel's ACKs retrace their packet's path).
  auto route = [&](const std::string& link, Ipv4Address dest) {
    const Port& p = ports.at(link);
    Ptr<Ipv4> ip = p.node->GetObject<Ipv4>();
    staticRouting.GetStaticRouting(ip)->AddHostRouteTo(dest, p.peer,
                                                       ip->GetInterfaceForDevice(p.dev));
  };
  for (uint32_t h = 0; h < hosts; ++h) {
    Ptr<Ipv4> ip = hostNodes.Get(h)->GetObject<Ipv4>();
    const Port& up = ports.at(hostName(h) + ">" + leafName(h / hostsPerLeaf));
    staticRouting.GetStaticRouting(ip)->SetDefaultRoute(up.peer, ip->GetInterfaceForDevice(up.dev));
  }
  auto flowAddress = [&](uint32_t host, size_t i) {
    const Ipv4Address a(static_cast<uint32_t>(11 << 24 | (i + 1) << 8 | 1));
    Ptr<Ipv4> ip = hostNodes.Get(host)->GetObject<Ipv4>();
    const Port& up = ports.at(hostName(host) + ">" + leafName(host / hostsPerLeaf));
    ip->AddAddress(ip->GetInterfaceForDevice(up.dev),
                   Ipv4InterfaceAddress(a, Ipv4Mask("255.255.255.255")));
    return a;
  };
  std::vector<Ipv4Address> srcAddr(flows.size()), dstAddr(flows.size());
  std::vector<bool> sending(hosts, false);
  for (size_t i = 0; i < flows.size(); ++i) {
    const Flow& f = flows[i];
    if (f.src >= hosts || f.dst >= hosts) NS_FATAL_ERROR("flow " << f.id << ": no such host");
    if (sending[f.src]) NS_FATAL_ERROR("host " << f.src << " sends two flows");
    sending[f.src] = true;
    srcAddr[i] = hostAddr[f.src];
    dstAddr[i] = flowAddress(f.dst, i);
    const uint32_t a = f.src / hostsPerLeaf, b = f.dst / hostsPerLeaf;
    for (auto [from, fromLeaf, to, toLeaf, dest] :
         {std::tuple{f.src, a, f.dst, b, dstAddr[i]}, std::tuple{f.dst, b, f.src, a, srcAddr[i]}}) {
      if (fromLeaf == toLeaf) {
        route(leafName(toLeaf) + ">" + hostName(to), dest);
        continue;
      }
      if (f.spine < 0) NS_FATAL_ERROR("flow " << f.id << " crosses leaves but has no spine");
      const std::string spine = spineName(static_cast<uint32_t>(f.spine));
      route(leafName(fromLeaf) + ">" + spine, dest);
      route(spine + ">" + leafName(toLeaf), dest);
      route(leafName(toLeaf) + ">" + hostName(to), dest);
    }
  }

  uint64_t intervalPs = static_cast<uint64_t>(intervalNs * 1000);
  Ptr<StepMarkQueueDisc> watched;
  if (!queueLink.empty()) {
    auto it = ports.find(queueLink);
    if (it == ports.end() || !it->second.qdisc) NS_FATAL_ERROR("no switch port " << queueLink);
    watched = it->second.qdisc;
    watched->Record(intervalPs);
  }

  // Every connection opens first; data starts at t0 plus the flow's start, so handshakes
  // (which spinel's transport does not have) are not timed.
  const Time t0 = MicroSeconds(100);
  for (size_t i = 0; i < flows.size(); ++i) {
    Flow& f = flows[i];
    const uint16_t port = static_cast<uint16_t>(10000 + i);
    PacketSinkHelper sinkHelper("ns3::TcpSocketFactory",
                                InetSocketAddress(Ipv4Address::GetAny(), port));
    ApplicationContainer sink = sinkHelper.Install(hostNodes.Get(f.dst));
    sink.Start(Seconds(0));
    sink.Get(0)->TraceConnectWithoutContext("Rx", MakeBoundCallback(&OnRx, &f));
    // Sockets open once the simulation runs: the traffic-control layer is set up then.
    Simulator::Schedule(Seconds(0), &Flow::Open, &f, hostNodes.Get(f.src),
                        Address(InetSocketAddress(dstAddr[i], port)));
    Simulator::Schedule(t0 + PicoSeconds(static_cast<int64_t>(f.startPs)), &Flow::Start, &f);
  }
  Simulator::Stop(Seconds(1));
  Simulator::Run();

  std::ofstream fo(outFlows);
  fo << "id,src,dst,size_bytes,start_ps,end_ps\n";
  const int64_t t0Ps = t0.GetPicoSeconds();
  for (const Flow& f : flows) {
    fo << f.id << ',' << f.src << ',' << f.dst << ',' << f.size << ',' << f.startPs << ','
       << (f.endPs < 0 ? -1 : f.endPs - t0Ps) << "\n";
    if (f.endPs < 0)
      std::cerr << "flow " << f.id << ": " << f.received << " of " << f.size << " bytes received\n";
  }
  uint64_t marks = 0, drops = 0;
  for (const auto& [name, p] : ports) {
    if (p.qdisc) {
      marks += p.qdisc->marks;
      drops += p.qdisc->drops;
    }
  }
  if (watched) {
    std::ofstream qo(outQueue);
    qo << "interval_start_ps,max_queue_bytes\n";
    for (const auto& [k, bytes] : watched->Series()) {
      const int64_t start = static_cast<int64_t>(k * intervalPs) - t0Ps;
      if (start >= 0) qo << start << ',' << bytes << '\n';
    }
  }
  std::cout << "ns-3: " << flows.size() << " flows, " << marks << " ECN marks, " << drops
            << " drops at switch ports\n";
  Simulator::Destroy();
  return 0;
}
