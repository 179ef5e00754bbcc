// Cross-checks our schema (proto/kafka/schema/, as the generator read it)
// against Apache Kafka's reference message definitions: for every message we
// have, field names (and the C++ member names derived from them), types,
// versions, nullable versions, tags and tagged versions, per-field flexible
// versions, defaults, inline and common structs, valid and flexible versions
// and API keys must match; and every API a broker serves must be there.
//
// The reference directory is --kafka_reference_dir, else the environment
// variable GREGOR_KAFKA_REFERENCE_DIR, else /work/shared/kafka-protocol/messages.
// When it does not exist the test prints "skipped: reference schemas not
// present" and passes.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gflags/gflags.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "proto/kafka/messages/api_table.h"
#include "proto/kafka/messages/schema_info.h"

DEFINE_string(kafka_reference_dir, "",
              "Kafka's message definitions (*.json); default: $GREGOR_KAFKA_REFERENCE_DIR or "
              "/work/shared/kafka-protocol/messages");

namespace gregor::kafka {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

constexpr int kOpenEnd = 32767;

std::string ReferenceDir() {
  if (!FLAGS_kafka_reference_dir.empty()) return FLAGS_kafka_reference_dir;
  if (const char* env = std::getenv("GREGOR_KAFKA_REFERENCE_DIR"); env != nullptr && *env) return env;
  return "/work/shared/kafka-protocol/messages";
}

// "3+", "1-4", "7", "none" (or absent) -> "lo-hi" with hi 32767 when open.
std::string NormVersions(const json& v) {
  if (v.is_null()) return "none";
  std::string s = v.get<std::string>();
  if (s == "none" || s.empty()) return "none";
  int lo = 0, hi = 0;
  if (s.back() == '+') {
    lo = std::stoi(s.substr(0, s.size() - 1));
    hi = kOpenEnd;
  } else if (auto dash = s.find('-'); dash != std::string::npos) {
    lo = std::stoi(s.substr(0, dash));
    hi = std::stoi(s.substr(dash + 1));
  } else {
    lo = hi = std::stoi(s);
  }
  return std::to_string(lo) + "-" + std::to_string(hi);
}

bool IsIntType(const std::string& t) {
  return t == "int8" || t == "int16" || t == "uint16" || t == "int32" || t == "uint32" || t == "int64";
}

// The default as a canonical string; absent defaults become the type's
// implicit one, so "default": "0" and no default compare equal for ints.
std::string NormDefault(const std::string& type, const json& d) {
  std::string s;
  if (d.is_null()) {
    if (IsIntType(type) || type == "float64") return "0";
    if (type == "bool") return "false";
    return "";
  }
  if (d.is_boolean()) {
    s = d.get<bool>() ? "true" : "false";
  } else if (d.is_number()) {
    s = d.dump();
  } else {
    s = d.get<std::string>();
  }
  if (IsIntType(type)) return std::to_string(std::stoll(s, nullptr, 0));
  if (type == "bool") {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }
  if (type == "float64") {
    std::ostringstream os;
    os << std::stod(s);
    return os.str();
  }
  return s;
}

// Kafka's CamelCase field name as our C++ member name.
std::string SnakeCase(const std::string& name) {
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool upper = std::isupper(static_cast<unsigned char>(c));
    if (upper && i > 0) {
      char prev = name[i - 1];
      bool prev_lower_or_digit = std::islower(static_cast<unsigned char>(prev)) ||
                                 std::isdigit(static_cast<unsigned char>(prev));
      bool next_lower = i + 1 < name.size() && std::islower(static_cast<unsigned char>(name[i + 1]));
      if (prev_lower_or_digit || (std::isupper(static_cast<unsigned char>(prev)) && next_lower)) {
        out.push_back('_');
      }
    }
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

std::string Get(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

json Opt(const json& j, const char* key) {
  auto it = j.find(key);
  return it == j.end() ? json() : *it;
}

class Comparator {
 public:
  std::vector<std::string>& diffs() { return diffs_; }

  void Message(const json& ours, const json& ref) {
    std::string name = Get(ours, "name");
    Expect(name, "type", Get(ours, "type"), Get(ref, "type"));
    if (ours.contains("apiKey") || ref.contains("apiKey")) {
      Expect(name, "apiKey", Get(ours, "apiKey"), Get(ref, "apiKey"));
    }
    Expect(name, "validVersions", NormVersions(Opt(ours, "validVersions")),
           NormVersions(Opt(ref, "validVersions")));
    Expect(name, "flexibleVersions", NormVersions(Opt(ours, "flexibleVersions")),
           NormVersions(Opt(ref, "flexibleVersions")));
    Fields(name, ours.at("fields"), ref.at("fields"));
    std::map<std::string, json> our_commons, ref_commons;
    for (const json& c : Opt(ours, "commonStructs")) our_commons[Get(c, "name")] = c;
    for (const json& c : Opt(ref, "commonStructs")) ref_commons[Get(c, "name")] = c;
    for (const auto& [cname, c] : ref_commons) {
      auto it = our_commons.find(cname);
      if (it == our_commons.end()) {
        diffs_.push_back(name + ": common struct " + cname + " missing");
        continue;
      }
      std::string where = name + "." + cname;
      Expect(where, "versions", NormVersions(Opt(it->second, "versions")),
             NormVersions(Opt(c, "versions")));
      Fields(where, it->second.at("fields"), c.at("fields"));
    }
    for (const auto& [cname, c] : our_commons) {
      if (!ref_commons.count(cname)) diffs_.push_back(name + ": extra common struct " + cname);
    }
  }

 private:
  void Expect(const std::string& where, const char* what, const std::string& ours,
              const std::string& ref) {
    if (ours != ref) {
      diffs_.push_back(where + ": " + what + " is '" + ours + "', reference has '" + ref + "'");
    }
  }

  void Fields(const std::string& where, const json& ours, const json& ref) {
    std::vector<std::string> our_names, ref_names;
    for (const json& f : ours) our_names.push_back(Get(f, "name"));
    for (const json& f : ref) ref_names.push_back(Get(f, "name"));
    if (our_names != ref_names) {
      std::string a, b;
      for (const auto& n : our_names) a += n + " ";
      for (const auto& n : ref_names) b += n + " ";
      diffs_.push_back(where + ": fields [" + a + "], reference has [" + b + "]");
      return;
    }
    for (size_t i = 0; i < ours.size(); ++i) Field(where + "." + our_names[i], ours[i], ref[i]);
  }

  void Field(const std::string& where, const json& ours, const json& ref) {
    std::string type = Get(ref, "type");
    Expect(where, "type", Get(ours, "type"), type);
    Expect(where, "C++ name", Get(ours, "cppName"), CppName(Get(ref, "name")));
    Expect(where, "versions", NormVersions(Opt(ours, "versions")), NormVersions(Opt(ref, "versions")));
    Expect(where, "nullableVersions", NormVersions(Opt(ours, "nullableVersions")),
           NormVersions(Opt(ref, "nullableVersions")));
    Expect(where, "tag", Get(ours, "tag"), Get(ref, "tag"));
    Expect(where, "taggedVersions", NormVersions(Opt(ours, "taggedVersions")),
           NormVersions(Opt(ref, "taggedVersions")));
    Expect(where, "flexibleVersions", Get(ours, "flexibleVersions").empty() ? "inherit" : NormVersions(Opt(ours, "flexibleVersions")),
           Get(ref, "flexibleVersions").empty() ? "inherit" : NormVersions(Opt(ref, "flexibleVersions")));
    Expect(where, "default", NormDefault(type, Opt(ours, "default")), NormDefault(type, Opt(ref, "default")));
    bool our_inline = ours.contains("fields");
    bool ref_inline = ref.contains("fields");
    if (our_inline != ref_inline) {
      diffs_.push_back(where + (our_inline ? ": inline struct, reference uses a common struct"
                                           : ": common struct, reference defines it inline"));
    } else if (our_inline) {
      Fields(where, ours.at("fields"), ref.at("fields"));
    }
  }

  static std::string CppName(const std::string& kafka_name) {
    std::string n = SnakeCase(kafka_name);
    static const std::set<std::string> kKeywords = {"default", "delete", "operator", "new", "class",
                                                    "private", "public", "register", "template",
                                                    "this", "union", "namespace", "switch"};
    return kKeywords.count(n) ? n + "_" : n;
  }

  std::vector<std::string> diffs_;
};

struct Reference {
  std::map<std::string, json> messages;      // by name
  std::set<std::string> broker_apis;          // API names (without Request)
};

Reference LoadReference(const std::string& dir) {
  Reference ref;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    std::stringstream buf;
    buf << in.rdbuf();
    json j = json::parse(buf.str(), /*cb=*/nullptr, /*allow_exceptions=*/true, /*ignore_comments=*/true);
    std::string type = Get(j, "type");
    if (type != "request" && type != "response" && type != "header") continue;
    std::string name = Get(j, "name");
    if (type == "request") {
      for (const json& l : Opt(j, "listeners")) {
        if (l.get<std::string>() == "broker") ref.broker_apis.insert(name.substr(0, name.size() - 7));
      }
    }
    ref.messages[name] = std::move(j);
  }
  return ref;
}

json Ours() { return json::parse(SchemaInfoJson()); }

bool ReferencePresent() {
  std::error_code ec;
  if (fs::is_directory(ReferenceDir(), ec)) return true;
  std::cout << "skipped: reference schemas not present (" << ReferenceDir() << ")\n";
  return false;
}

std::string Join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += "  " + x + "\n";
  return s;
}

TEST(SchemaCrossCheckTest, EveryMessageMatchesTheReferenceFieldByField) {
  if (!ReferencePresent()) return;
  Reference ref = LoadReference(ReferenceDir());
  Comparator cmp;
  int compared = 0;
  for (const json& msg : Ours()) {
    std::string name = Get(msg, "name");
    auto it = ref.messages.find(name);
    if (it == ref.messages.end()) {
      cmp.diffs().push_back(name + ": not in the reference");
      continue;
    }
    cmp.Message(msg, it->second);
    ++compared;
  }
  EXPECT_TRUE(cmp.diffs().empty()) << cmp.diffs().size() << " differences:\n" << Join(cmp.diffs());
  EXPECT_EQ(compared, 2 * static_cast<int>(kApiCount) + 2);  // + the two headers
  std::cout << "compared " << compared << " messages with " << ReferenceDir() << "\n";
}

TEST(SchemaCrossCheckTest, EveryApiABrokerServesIsInOurSchema) {
  if (!ReferencePresent()) return;
  Reference ref = LoadReference(ReferenceDir());
  std::set<std::string> ours;
  for (const ApiInfo& api : kApis) ours.insert(std::string(api.name));
  std::vector<std::string> missing;
  for (const std::string& api : ref.broker_apis) {
    if (!ours.count(api)) missing.push_back(api);
  }
  EXPECT_TRUE(missing.empty()) << "broker APIs missing from proto/kafka/schema:\n" << Join(missing);
  EXPECT_GE(ref.broker_apis.size(), 45u);
}

TEST(SchemaCrossCheckTest, ApiTableAgreesWithTheSchema) {
  std::map<std::string, json> by_name;
  for (const json& msg : Ours()) by_name[Get(msg, "name")] = msg;
  for (const ApiInfo& api : kApis) {
    const json& req = by_name[std::string(api.name) + "Request"];
    ASSERT_FALSE(req.is_null()) << api.name;
    EXPECT_EQ(req.at("apiKey").get<int>(), api.key);
    EXPECT_EQ(NormVersions(req.at("validVersions")),
              std::to_string(api.lowest_version) + "-" + std::to_string(api.highest_version));
    std::string flex = NormVersions(req.at("flexibleVersions"));
    EXPECT_EQ(flex == "none" ? -1 : std::stoi(flex), api.first_flexible_version) << api.name;
  }
}

// The comparison itself must notice differences (so a pass means something).
TEST(SchemaCrossCheckTest, ComparatorReportsEveryKindOfDifference) {
  json ours = Ours();
  json produce;
  for (const json& m : ours) {
    if (Get(m, "name") == "ProduceResponse") produce = m;
  }
  ASSERT_FALSE(produce.is_null());
  auto diff_count = [&](json mutated) {
    Comparator cmp;
    cmp.Message(mutated, produce);
    return cmp.diffs().size();
  };
  EXPECT_EQ(diff_count(produce), 0u);
  json m = produce;
  m["fields"][0]["fields"][1]["fields"][3]["versions"] = "3+";  // LogAppendTimeMs
  EXPECT_EQ(diff_count(m), 1u);
  m = produce;
  m["fields"][0]["fields"][1]["fields"][5]["fields"][1]["nullableVersions"] = "9+";
  EXPECT_EQ(diff_count(m), 1u);
  m = produce;
  m["fields"][2]["tag"] = 1;  // NodeEndpoints
  EXPECT_EQ(diff_count(m), 1u);
  m = produce;
  m["fields"][1]["default"] = "5";  // ThrottleTimeMs
  EXPECT_EQ(diff_count(m), 1u);
  m = produce;
  m["fields"][1]["type"] = "int64";
  EXPECT_GE(diff_count(m), 1u);
  m = produce;
  m["fields"][1]["cppName"] = "throttle_time";
  EXPECT_EQ(diff_count(m), 1u);
  m = produce;
  m["flexibleVersions"] = "10+";
  EXPECT_EQ(diff_count(m), 1u);
  m = produce;
  std::swap(m["fields"][1], m["fields"][2]);
  EXPECT_EQ(diff_count(m), 1u);
}

TEST(SchemaCrossCheckTest, SnakeCaseMapsKafkaNamesToCppMembers) {
  EXPECT_EQ(SnakeCase("TransactionalId"), "transactional_id");
  EXPECT_EQ(SnakeCase("V3AndBelowTopics"), "v3_and_below_topics");
  EXPECT_EQ(SnakeCase("timeoutMs"), "timeout_ms");
  EXPECT_EQ(NormVersions(json("3+")), "3-32767");
  EXPECT_EQ(NormDefault("int32", json("0x7fffffff")), "2147483647");
  EXPECT_EQ(NormDefault("bool", json("False")), "false");
  EXPECT_EQ(NormDefault("int32", json()), "0");
}

}  // namespace
}  // namespace gregor::kafka
