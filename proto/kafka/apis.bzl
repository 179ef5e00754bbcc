"""The Kafka API schema files (proto/kafka/schema/<name>.schema), one per API.

The generator checks this list against the schema directory, so adding a
schema file means adding its name here (Bazel must know the outputs).
"""

KAFKA_API_FILES = [
    "api_versions",
    "fetch",
    "metadata",
    "produce",
]

# Files the generator writes into messages/ besides the per-API ones.
def kafka_message_outputs(apis):
    bases = apis + ["headers"]
    return struct(
        hdrs = ["messages/%s.h" % b for b in bases] + [
            "messages/api_table.h",
            "messages/all_apis.h",
        ],
        srcs = ["messages/%s.cc" % b for b in bases],
        test_value_hdrs = ["messages/test_values.h"],
        test_value_srcs = ["messages/%s_test_values.cc" % b for b in bases] + [
            "messages/test_values.cc",
        ],
        schema_info_hdrs = ["messages/schema_info.h"],
        schema_info_srcs = ["messages/schema_info.cc"],
    )
