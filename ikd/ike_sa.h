#ifndef IKD_IKE_SA_H
#define IKD_IKE_SA_H
#endif
