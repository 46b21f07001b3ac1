/* PLACEHOLDER: the real probe replaces this file in a following commit. */
#include "config.h"

#include "app.h"

static enum app_result
kafka_probe(const struct app_input *in, struct app_info *info)
{
	(void)in; (void)info;
	return APP_NO;
}

const struct app_ops proto_kafka = {
	.id = APP_KAFKA,
	.name = "Kafka",
	.word = "kafka",
	.hint_ports = { 9092 },
	.probe = kafka_probe,
};
