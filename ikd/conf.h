#ifndef IKD_CONF_H
#define IKD_CONF_H
#endif
