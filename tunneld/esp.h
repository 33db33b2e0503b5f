#ifndef TUNNELD_ESP_H
#define TUNNELD_ESP_H
#endif
