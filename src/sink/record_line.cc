#include "sink/record_line.h"

#include "format/json_writer.h"

namespace siphon::sink {

void append_record_line(std::string& out, const format::SerializedRecord& record, bool with_topic) {
  out += '{';
  if (with_topic) {
    out += "\"topic\":";
    format::append_json_string(out, record.topic);
    out += ',';
  }
  out += "\"key\":";
  out += record.key ? *record.key : "null";
  out += ",\"value\":";
  out += record.value ? *record.value : "null";
  if (!record.headers.empty()) {
    out += ",\"headers\":{";
    for (size_t i = 0; i < record.headers.size(); ++i) {
      if (i) out += ',';
      format::append_json_string(out, record.headers[i].name);
      out += ':';
      out += record.headers[i].json_value;
    }
    out += '}';
  }
  out += "}\n";
}

}  // namespace siphon::sink
