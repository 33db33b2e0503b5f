#ifndef IKD_IKE_MSG_H
#define IKD_IKE_MSG_H
#endif
