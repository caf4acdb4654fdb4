#include "api/scenario/wan_section.hpp"

#include <algorithm>
#include <numeric>
#include <optional>
#include <string>

namespace spinel::scenario {

namespace {

constexpr std::uint32_t kMaxSites = 256;
constexpr std::uint32_t kMaxSiteHosts = 65536;

// Node names of links.csv are hN, leafN, spineN or a site's name: a site
// must not look like the others.
bool looks_like_node(const std::string& name) {
  for (const std::string_view kind : {"h", "leaf", "spine"}) {
    if (name.size() > kind.size() && name.compare(0, kind.size(), kind) == 0 &&
        std::all_of(name.begin() + static_cast<std::ptrdiff_t>(kind.size()), name.end(),
                    [](char c) { return c >= '0' && c <= '9'; })) {
      return true;
    }
  }
  return false;
}

std::string read_site_name(const Value& v) {
  const std::string name = v.to_string();
  const bool ok = !name.empty() && name.size() <= 32 &&
                  ((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z')) &&
                  std::all_of(name.begin(), name.end(), [](char c) {
                    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == '_' || c == '-';
                  });
  if (!ok) {
    v.fail(
        "expected a site name of 1 to 32 characters from A-Z a-z 0-9 _ -, starting with a "
        "letter, got " +
        v.describe());
  }
  if (looks_like_node(name)) {
    v.fail("a site cannot be named like a host or switch (hN, leafN, spineN), got " + v.describe());
  }
  return name;
}

// rate and one-way latency; a WAN link may give its round trip (rtt)
// instead, which is two one-way latencies.
void read_link_spec(const Value& v, topology::LinkSpec& link, bool wan,
                    std::initializer_list<Field> extra = {}) {
  std::optional<Value> latency;
  std::vector<Field> fields(extra);
  fields.push_back({"rate", Need::optional,
                    [&](const Value& x) { link.rate_gbps = x.to_rate_gbps(kMaxLinkRateGbps); }});
  fields.push_back({"latency", Need::optional, [&](const Value& x) {
                      link.latency_ps = x.to_duration_ps(kMaxLinkLatency);
                      latency = x;
                    }});
  if (wan) {
    fields.push_back({"rtt", Need::optional, [&](const Value& x) {
                        if (latency) x.fail_at_key("give latency (one way) or rtt, not both");
                        link.latency_ps = x.to_duration_ps(2 * kMaxLinkLatency) / 2;
                      }});
  }
  v.read_map(fields);
}

}  // namespace

topology::WanConfig read_wan(const Value& v) {
  topology::WanConfig c;
  std::optional<Value> sites_value;
  std::optional<topology::LinkSpec> mesh;
  std::optional<Value> mesh_value;
  auto site_index = [&](const Value& x) -> std::uint32_t {
    const std::string name = x.to_string();
    for (std::uint32_t s = 0; s < c.sites.size(); ++s) {
      if (c.sites[s].name == name) return s;
    }
    std::vector<std::string_view> names;
    for (const auto& s : c.sites) names.push_back(s.name);
    x.fail("expected a site listed under sites (" + describe_choices(names) + "), got " +
           x.describe());
  };
  v.read_map({
      {"kind", Need::required, [](const Value&) {}},
      {"sites", Need::required,
       [&](const Value& x) {
         sites_value = x;
         const std::vector<Value> items = x.to_list();
         if (items.empty() || items.size() > kMaxSites) {
           x.fail("expected 1 to " + std::to_string(kMaxSites) + " sites, got " +
                  std::to_string(items.size()));
         }
         std::uint64_t total = 0;
         for (const Value& item : items) {
           topology::WanSite site;
           item.read_map({
               {"name", Need::required,
                [&](const Value& n) {
                  site.name = read_site_name(n);
                  for (const auto& other : c.sites) {
                    if (other.name == site.name)
                      n.fail("site " + n.describe() + " is listed twice");
                  }
                }},
               {"hosts", Need::required,
                [&](const Value& n) { site.hosts = n.to_uint<std::uint32_t>(1, kMaxSiteHosts); }},
               {"host_link", Need::optional,
                [&](const Value& n) { read_link_spec(n, site.host_link, false); }},
           });
           total += site.hosts;
           c.sites.push_back(std::move(site));
         }
         if (total < 2 || total > kMaxSiteHosts) {
           x.fail("the sites hold " + std::to_string(total) + " hosts; a WAN needs 2 to " +
                  std::to_string(kMaxSiteHosts));
         }
       }},
      {"wan_link", Need::optional,
       [&](const Value& x) {
         mesh.emplace(topology::WanLink{}.link);
         read_link_spec(x, *mesh, true);
         mesh_value = x;
       }},
      {"wan_links", Need::optional,
       [&](const Value& x) {
         if (mesh_value) {
           x.fail_at_key(
               "give wan_link (the same link between every pair of sites) or wan_links (a "
               "list), not both");
         }
         const std::vector<Value> items = x.to_list();
         if (items.empty()) x.fail("expected at least one link, got an empty list");
         for (const Value& item : items) {
           topology::WanLink link;
           std::optional<Value> b_value;
           read_link_spec(item, link.link, true,
                          {{"a", Need::required, [&](const Value& n) { link.a = site_index(n); }},
                           {"b", Need::required, [&](const Value& n) {
                              link.b = site_index(n);
                              b_value = n;
                            }}});
           if (link.a == link.b) b_value->fail("a WAN link joins two different sites");
           for (const topology::WanLink& other : c.links) {
             if (std::minmax(other.a, other.b) == std::minmax(link.a, link.b)) {
               b_value->fail("sites " + c.sites[link.a].name + " and " + c.sites[link.b].name +
                             " are already linked (one link per pair)");
             }
           }
           c.links.push_back(link);
         }
         // Every site must reach every other one.
         std::vector<std::uint32_t> root(c.sites.size());
         std::iota(root.begin(), root.end(), 0U);
         auto find = [&](std::uint32_t s) {
           while (root[s] != s) s = root[s] = root[root[s]];
           return s;
         };
         for (const topology::WanLink& l : c.links) root[find(l.a)] = find(l.b);
         for (std::uint32_t s = 1; s < c.sites.size(); ++s) {
           if (find(s) != find(0)) {
             x.fail("site " + c.sites[s].name + " cannot reach site " + c.sites[0].name +
                    " over these links; every site must be connected");
           }
         }
       }},
  });
  if (c.links.empty()) {
    // The default: a full mesh, every pair joined by the same link.
    const topology::LinkSpec spec = mesh ? *mesh : topology::WanLink{}.link;
    for (std::uint32_t a = 0; a < c.sites.size(); ++a) {
      for (std::uint32_t b = a + 1; b < c.sites.size(); ++b) c.links.push_back({a, b, spec});
    }
  }
  return c;
}

}  // namespace spinel::scenario
