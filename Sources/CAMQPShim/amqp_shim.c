#include "amqp_shim.h"
#include <string.h>

amqp_rpc_reply_t trust_amqp_login_plain(amqp_connection_state_t state, const char *vhost,
                                        int channel_max, int frame_max, int heartbeat,
                                        const char *user, const char *password) {
    return amqp_login(state, vhost, channel_max, frame_max, heartbeat,
                      AMQP_SASL_METHOD_PLAIN, user, password);
}

amqp_rpc_reply_t trust_amqp_login_plain_named(amqp_connection_state_t state, const char *vhost,
                                              int channel_max, int frame_max, int heartbeat,
                                              const char *user, const char *password,
                                              const char *connection_name) {
    amqp_table_entry_t entries[1];
    entries[0].key = amqp_cstring_bytes("connection_name");
    entries[0].value.kind = AMQP_FIELD_KIND_UTF8;
    entries[0].value.value.bytes = amqp_cstring_bytes(connection_name);
    amqp_table_t props = { .num_entries = 1, .entries = entries };
    return amqp_login_with_properties(state, vhost, channel_max, frame_max, heartbeat, &props,
                                      AMQP_SASL_METHOD_PLAIN, user, password);
}
