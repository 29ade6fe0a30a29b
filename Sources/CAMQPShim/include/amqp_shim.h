#ifndef TRUST_AMQP_SHIM_H
#define TRUST_AMQP_SHIM_H
#include <amqp.h>

/// amqp_login is variadic (SASL method selects the trailing arguments), which Swift cannot
/// call; this fixes the method to PLAIN.
amqp_rpc_reply_t trust_amqp_login_plain(amqp_connection_state_t state, const char *vhost,
                                        int channel_max, int frame_max, int heartbeat,
                                        const char *user, const char *password);

/// amqp_login_with_properties, PLAIN, so the broker shows a connection name to operators.
amqp_rpc_reply_t trust_amqp_login_plain_named(amqp_connection_state_t state, const char *vhost,
                                              int channel_max, int frame_max, int heartbeat,
                                              const char *user, const char *password,
                                              const char *connection_name);
#endif
